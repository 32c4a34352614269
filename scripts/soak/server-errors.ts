import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A line that opens an error nobody handled: Next.js's `⨯` lines, an error's name. */
const ERROR_START = /⨯|^\s*\w*Error\b/;
/** Lines of ours (JSON log lines, `renewal:` and `serve:` messages): an error's text ends where one begins. */
const OWN_LINE = /^(\{|renewal:|serve:)/;
const LINES_PER_ERROR = 12;
const MAX_LINES = 60;

/**
 * The errors the app instances logged that no handler of ours logged first — what stands
 * behind an unexpected 5xx — so that a failed run in CI, whose log files are gone with its
 * machine, still shows them: each with up to LINES_PER_ERROR lines of its message and
 * stack, MAX_LINES in all (the rest is in the logs).
 */
export function unhandledErrorLines(logDir: string): string[] {
  if (!existsSync(logDir)) return [];
  const lines: string[] = [];
  for (const file of readdirSync(logDir).filter((name) => name.startsWith('app-')).sort()) {
    let taking = 0;
    for (const line of readFileSync(join(logDir, file), 'utf8').split('\n')) {
      if (OWN_LINE.test(line)) taking = 0;
      else if (ERROR_START.test(line)) taking = LINES_PER_ERROR;
      if (taking === 0) continue;
      taking -= 1;
      lines.push(`${file}: ${line.slice(0, 300)}`);
      if (lines.length >= MAX_LINES) return lines;
    }
  }
  return lines;
}
