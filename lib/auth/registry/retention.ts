import 'server-only';
import { db } from '../../db';
import type { Db } from '../../db/client';
import { env } from '../../env';

/**
 * Retention: the registry keeps an ended session, and the audit trail an event, for
 * RETENTION_DAYS, so "why was I signed out?" can be answered; after that they go. A
 * logout token's `jti` goes as soon as the token could no longer pass (it was stored
 * with that moment as its expiry), and a step-up's kept action once it expired. The log of ended sessions (session-ends.ts) is read
 * within seconds; its rows go after an hour.
 */

export interface RetentionPolicy {
  readonly retentionDays: number;
  /** SESSION_IDLE_TIMEOUT: a session unseen for longer has ended. */
  readonly idleTimeoutSec: number;
}

export interface Pruned {
  readonly auditEvents: number;
  readonly sessions: number;
  readonly logoutTokens: number;
  readonly sessionEnds: number;
  readonly stepUpIntents: number;
}

/** Rows per delete: each statement is short, so no lock is held for long (SQLite has one for the whole file). */
const BATCH_SIZE = 500;
const DAY_MS = 24 * 3600 * 1000;
const SESSION_END_KEPT_MS = 3600 * 1000;

/**
 * Deletes, `batchSize` rows at a time: audit events older than the retention; sessions
 * that ended (revoked, past their absolute lifetime, idle) longer ago than that — a live
 * session is never touched, whatever its age; logout-token `jti`s past their expiry; the
 * ended-session log's rows older than an hour.
 * Each batch is chosen by a read, then deleted by primary key, so no delete scans a table.
 */
export async function pruneRegistry(database: Db, now: Date, policy: RetentionPolicy, batchSize = BATCH_SIZE): Promise<Pruned> {
  const cutoff = new Date(now.getTime() - policy.retentionDays * DAY_MS);
  const oldEvent = { at: { lt: cutoff } };
  // Events first: deleting a session sets its remaining events' sessionId to null.
  const auditEvents = await deleteInBatches(
    batchSize,
    async () => (await database.auditEvent.findMany({ where: oldEvent, select: { id: true }, orderBy: { id: 'asc' }, take: batchSize })).map((row) => row.id),
    async (ids) => (await database.auditEvent.deleteMany({ where: { id: { in: ids }, ...oldEvent } })).count,
  );
  const longEnded = {
    OR: [{ revokedAt: { lt: cutoff } }, { absoluteExpiresAt: { lt: cutoff } }, { lastSeenAt: { lt: new Date(cutoff.getTime() - policy.idleTimeoutSec * 1000) } }],
  };
  const sessions = await deleteInBatches(
    batchSize,
    async () => (await database.session.findMany({ where: longEnded, select: { id: true }, take: batchSize })).map((row) => row.id),
    async (ids) => (await database.session.deleteMany({ where: { id: { in: ids }, ...longEnded } })).count,
  );
  const expired = { expiresAt: { lt: now } };
  const logoutTokens = await deleteInBatches(
    batchSize,
    async () => (await database.logoutToken.findMany({ where: expired, select: { jti: true }, take: batchSize })).map((row) => row.jti),
    async (jtis) => (await database.logoutToken.deleteMany({ where: { jti: { in: jtis }, ...expired } })).count,
  );
  const oldEnd = { atMs: { lt: BigInt(now.getTime() - SESSION_END_KEPT_MS) } };
  const sessionEnds = await deleteInBatches(
    batchSize,
    async () => (await database.sessionEnd.findMany({ where: oldEnd, select: { id: true }, orderBy: { id: 'asc' }, take: batchSize })).map((row) => row.id),
    async (ids) => (await database.sessionEnd.deleteMany({ where: { id: { in: ids }, ...oldEnd } })).count,
  );
  const stepUpIntents = await deleteInBatches(
    batchSize,
    async () => (await database.stepUpIntent.findMany({ where: expired, select: { id: true }, take: batchSize })).map((row) => row.id),
    async (ids) => (await database.stepUpIntent.deleteMany({ where: { id: { in: ids }, ...expired } })).count,
  );
  return { auditEvents, sessions, logoutTokens, sessionEnds, stepUpIntents };
}

async function deleteInBatches<Id>(batchSize: number, next: () => Promise<Id[]>, remove: (ids: Id[]) => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const ids = await next();
    const removed = ids.length ? await remove(ids) : 0;
    total += removed;
    if (ids.length < batchSize || removed === 0) return total;
  }
}

/** A process prunes at most this often. */
const PRUNE_INTERVAL_MS = 3600 * 1000;

// On globalThis: Next.js bundles the proxy and the route handlers separately, and one
// process must prune once an hour, not once per bundle.
const globalForRetention = globalThis as unknown as { renewalRetention?: { startedAt: number; running: boolean } };

/**
 * Starts pruneRegistry in the background unless this process started one in the past
 * hour or one is still running; returns it, or undefined. For the request path
 * (lib/auth/refresh/runtime.ts): it costs a clock read, and never delays or fails a request.
 */
export function pruneHourly(nowMs = Date.now()): Promise<Pruned> | undefined {
  const state = (globalForRetention.renewalRetention ??= { startedAt: -Infinity, running: false });
  if (state.running || nowMs - state.startedAt < PRUNE_INTERVAL_MS) return undefined;
  state.startedAt = nowMs;
  state.running = true;
  const config = env();
  const run = pruneRegistry(db(), new Date(nowMs), { retentionDays: config.retentionDays, idleTimeoutSec: config.session.idleTimeoutSec });
  run
    .then((pruned) => {
      if (pruned.auditEvents || pruned.sessions || pruned.logoutTokens) {
        console.info(`renewal: retention deleted ${pruned.sessions} ended sessions, ${pruned.auditEvents} audit events and ${pruned.logoutTokens} logout-token records`);
      }
    })
    .catch((error: unknown) => console.error('renewal: retention could not prune the registry:', error instanceof Error ? error.message : error))
    .finally(() => (state.running = false));
  return run;
}
