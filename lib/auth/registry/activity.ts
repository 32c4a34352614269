import 'server-only';
import { db } from '../../db';
import type { Db } from '../../db/client';
import { logOncePerMinute } from '../../throttled-log';

/**
 * When people were last seen (the idle timeout's clock), collected per process and written
 * in batches: one statement per interval for every session active in it, not one per
 * session, so the database's work follows the number of processes, not of people. A
 * session's lastSeenAt is written as the batch's time, at most one interval late: a
 * session may outlive its idle timeout by that much, never end before it. A batch that
 * cannot be written is kept for the next; a process that stops loses at most one interval.
 */

// On globalThis: Next.js bundles the proxy and the route handlers separately.
interface PendingActivity {
  /** Session id → when its person was last seen (epoch seconds), not yet written. */
  readonly pending: Map<string, number>;
  timer?: NodeJS.Timeout;
}
const globalForActivity = globalThis as unknown as { renewalActivity?: PendingActivity };
const state: PendingActivity = (globalForActivity.renewalActivity ??= { pending: new Map() });

/** Sessions per statement: an IN list this long stays well inside both databases' limits. */
const BATCH_SIZE = 1000;

/** Notes that the person behind `sessionId` did something at `now`; written within `withinSec`. */
export function noteActivity(sessionId: string, now: number, withinSec: number): void {
  state.pending.set(sessionId, Math.max(now, state.pending.get(sessionId) ?? 0));
  scheduleWrite(withinSec);
}

function scheduleWrite(withinSec: number): void {
  if (state.timer) return;
  state.timer = setTimeout(() => {
    state.timer = undefined;
    writeActivity().catch((error: unknown) => {
      logProblem(error);
      scheduleWrite(withinSec);
    });
  }, withinSec * 1000);
  state.timer.unref();
}

/**
 * Writes the activity noted so far, `BATCH_SIZE` sessions per statement, each stamped with
 * the latest time noted in its statement. Live sessions only. Returns how many sessions
 * were written.
 */
export async function writeActivity(database: Db = db()): Promise<number> {
  const batch = [...state.pending];
  state.pending.clear();
  let written = 0;
  for (let i = 0; i < batch.length; i += BATCH_SIZE) {
    const chunk = batch.slice(i, i + BATCH_SIZE);
    const seenAt = new Date(Math.max(...chunk.map(([, at]) => at)) * 1000);
    try {
      await database.session.updateMany({ where: { id: { in: chunk.map(([id]) => id) }, revokedAt: null }, data: { lastSeenAt: seenAt } });
      written += chunk.length;
    } catch (error) {
      for (const [id, at] of batch.slice(i)) state.pending.set(id, Math.max(at, state.pending.get(id) ?? 0));
      throw error;
    }
  }
  return written;
}

function logProblem(error: unknown): void {
  logOncePerMinute(`could not record activity (${error instanceof Error ? error.message : String(error)}); it is kept and written with the next batch`, { level: 'warn' });
}
