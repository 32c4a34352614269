/**
 * `SOAK_RUNS=N npm run soak`: N runs one after another, each a fresh process with a fresh
 * seed and its own report, then a summary. A promise that holds on most runs is not kept:
 * the summary names the seed of every failed run so it can be played again.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { freshSeed } from './random';
import type { Report } from './report';
import type { SoakSettings } from './settings';

interface RunSummary {
  readonly run: number;
  readonly seed: number;
  readonly exitCode: number;
  readonly report: string;
  readonly failures?: Report['failures'];
  readonly latencyMs?: Report['latencyMs'];
}

export function runMany(settings: SoakSettings): number {
  const summaries: RunSummary[] = [];
  const base = settings.reportPath.replace(/\.json$/, '');
  for (let run = 1; run <= settings.runs; run++) {
    const seed = run === 1 && settings.seed !== undefined ? settings.seed : freshSeed();
    const report = `${base}-run${run}.json`;
    console.log(`\n== soak run ${run} of ${settings.runs} (seed ${seed}) ==`);
    const child = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/soak/index.ts'], {
      stdio: 'inherit',
      env: { ...process.env, SOAK_RUNS: '1', SOAK_SEED: String(seed), SOAK_REPORT: report },
    });
    const exitCode = child.status ?? 2;
    const parsed = existsSync(report) && exitCode !== 2 ? (JSON.parse(readFileSync(report, 'utf8')) as Report) : undefined;
    summaries.push({ run, seed, exitCode, report, ...(parsed ? { failures: parsed.failures, latencyMs: parsed.latencyMs } : {}) });
    if (exitCode === 130) break;
  }
  const passed = summaries.filter((summary) => summary.exitCode === 0).length;
  writeFileSync(`${base}-runs.json`, `${JSON.stringify({ runs: summaries.length, passed, summaries }, null, 2)}\n`);
  console.log(`\n== soak runs: ${passed} of ${summaries.length} passed (${settings.seconds} s each, ${settings.postgresServer ? 'postgresql' : 'sqlite'}) ==`);
  for (const summary of summaries) {
    const f = summary.failures;
    const what = f ? `sign-outs ${f.unexpectedSignOuts}, wrong admissions ${f.wrongAdmissions}, reuse ${f.reuseDetected ?? 'n/a'}, 5xx ${f.unexpected5xx}, p50/p99 ${summary.latencyMs?.p50}/${summary.latencyMs?.p99} ms` : 'no report';
    console.log(`  run ${String(summary.run).padStart(2)}  seed ${String(summary.seed).padEnd(10)}  ${summary.exitCode === 0 ? 'PASSED' : `FAILED (exit ${summary.exitCode})`}  ${what}`);
  }
  console.log(`  summary: ${base}-runs.json\n`);
  return passed === summaries.length ? 0 : summaries.some((summary) => summary.exitCode === 1) ? 1 : 2;
}
