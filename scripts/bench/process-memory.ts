/**
 * Resident memory of a process and its descendants, from /proc (Linux). An instance is
 * scripts/start.mjs supervising its server, scripts/serve.mjs: the server's share is what
 * the app holds, the supervisor's is fixed.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface TreeMemory {
  /** VmRSS of the process itself, in bytes. */
  readonly rootBytes: number;
  /** VmRSS of all its descendants together, in bytes. */
  readonly descendantsBytes: number;
}

function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`process-memory: no VmRSS for process ${pid}`);
  return Number(kb) * 1024;
}

/** Parent of each process now running (this kernel has no /proc/<pid>/task/<tid>/children). */
function parents(): Map<number, number> {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name in parentheses may hold spaces; the fields after it do not.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(entry), ppid);
    } catch {
      // exited while we looked
    }
  }
  return parentOf;
}

export function treeMemory(pid: number): TreeMemory {
  const parentOf = parents();
  const descendants: number[] = [];
  const frontier = [pid];
  while (frontier.length > 0) {
    const parent = frontier.pop()!;
    for (const [child, ppid] of parentOf) {
      if (ppid !== parent) continue;
      descendants.push(child);
      frontier.push(child);
    }
  }
  return { rootBytes: rssBytes(pid), descendantsBytes: descendants.reduce((sum, child) => sum + rssBytes(child), 0) };
}
