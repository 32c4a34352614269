import 'server-only';
import { db } from '../../db';
import { databaseKind } from '../../db/client';
import { countRegistryCheck } from '../../telemetry/metrics';
import { logOncePerMinute } from '../../throttled-log';
import type { SessionPayload } from '../session-payload';
import { noteActivity } from './activity';
import { IDP_LOGOUT_REASON, REPLACED_REASON } from './registry';
import { followSessionEnds, type SessionEnds } from './session-ends';

/**
 * What the registry says about a session, when it was consulted. `replaced`: this browser
 * signed in again, so its newer cookie must not be cleared by an answer about the old one.
 * `idp_logout`: revoked because the person signed out at the IdP (back-channel logout).
 */
export type RegistryVerdict = 'active' | 'revoked' | 'idp_logout' | 'replaced' | 'idle';

/**
 * The registry's word on a session, cached per process until the session is heard to end:
 * a valid cookie is validated by cryptography alone, and the database is read once per
 * session per process. Every end, wherever it is written, reaches every process within
 * a second (session-ends.ts) and drops the verdict (`forgetRegistryVerdict`). A verdict
 * is trusted that long only while that feed is current; while it is not (the database
 * or the listener lost), verdicts stand UNHEARD_VERDICT_SEC at most, and the registry is
 * read again as before there was a feed. REGISTRY_CHECK_INTERVAL bounds both: a safety
 * net, not the propagation delay, and a cheap one — every half interval each process
 * checks all the live verdicts it holds again, a thousand sessions per query
 * (`revalidateVerdicts`), so a session in use is not read again one by one.
 */
interface Cached {
  readonly verdict: RegistryVerdict;
  /** When the registry last confirmed this verdict (a read, or a revalidation). */
  checkedAt: number;
  /** When this process last relied on it (a read, or a request it answered): what a render may fall back on. */
  trustedAt: number;
  /** When the person last did something, as far as this process knows. */
  lastSeen: number;
}

/** A registry read in flight: whether its session's end was heard of while it was. */
interface PendingRead {
  forgotten: boolean;
}

// On globalThis: Next.js bundles the proxy and the route handlers separately, and a
// sign-out handled by a route must clear what the proxy caches in the same process.
const globalForCache = globalThis as unknown as { renewalRegistryVerdicts?: Map<string, Cached>; renewalSessionEnds?: SessionEnds; renewalPendingReads?: Map<string, Set<PendingRead>> };
const cache = (globalForCache.renewalRegistryVerdicts ??= new Map<string, Cached>());
/**
 * The reads in flight, by session. A read that began before its session ended can answer
 * after the end was heard of: it serves its own request (sent before the end) but is not
 * cached, or it would undo the forgetting for REGISTRY_CHECK_INTERVAL. Only the end of its
 * own session counts: a read passed over for any end anywhere leaves a render of the same
 * request nothing to fall back on if the database then stops answering (a 500 in the
 * PostgreSQL soak, while a restarted instance heard of the ends it had missed).
 */
const pendingReads = (globalForCache.renewalPendingReads ??= new Map<string, Set<PendingRead>>());

export interface RegistryCheckSettings {
  readonly idleTimeoutSec: number;
  readonly registryCheckSec: number;
  /** Verdicts kept per process, least recently read evicted first (VERDICT_CACHE_SIZE). */
  readonly verdictCacheSize: number;
}

/**
 * How far behind the feed may be and still count as current. It reads every 500 ms
 * (SQLite, or a lost listener) or pings every 5 s, so it is normally up to 5 s behind;
 * on a loaded machine timers and answers run late, and a bound with less slack made
 * verdicts flap back to being read (`npm run bench -- scale` at 10,000 sessions: 196
 * reads in 30 s with 2 s of slack).
 */
const FEED_CURRENT_WITHIN_MS = 9_000;
/** The longest a verdict stands while the feed is not current: how long an end elsewhere may go unheard. */
const UNHEARD_VERDICT_SEC = 5;

function verdictLifetimeSec(settings: RegistryCheckSettings): number {
  const feed = globalForCache.renewalSessionEnds;
  const current = feed !== undefined && Date.now() - feed.heardUntil() <= FEED_CURRENT_WITHIN_MS;
  return current ? settings.registryCheckSec : Math.min(settings.registryCheckSec, UNHEARD_VERDICT_SEC);
}

/** Whether `cached` may answer at `now`. An active verdict is read again once this process's clock says idle: another instance may have seen the person since. */
function stillStands(cached: Cached, now: number, settings: RegistryCheckSettings): boolean {
  if (now - cached.checkedAt >= verdictLifetimeSec(settings)) return false;
  return cached.verdict !== 'active' || now - cached.lastSeen <= settings.idleTimeoutSec;
}

/** Activity is noted at most this often per session, and written within as long again (activity.ts); a quarter of a short idle timeout. */
const TOUCH_INTERVAL_SEC = 60;

/**
 * The registry's verdict on `session`. `activity`: this request is the person's own doing
 * (a navigation, a form post or action, a state-changing API call) and so moves the
 * idle timeout on; background requests (a page refreshing itself, prefetches, polling
 * fetches) do not, or an open tab would keep its session alive forever.
 */
export async function checkRegistry(session: Pick<SessionPayload, 'sid'>, now: number, settings: RegistryCheckSettings, activity = false): Promise<RegistryVerdict> {
  let cached = cache.get(session.sid);
  const stands = cached !== undefined && stillStands(cached, now, settings);
  countRegistryCheck(stands ? 'cached' : 'read');
  if (cached && stands) cached.trustedAt = now;
  if (!cached || !stands) {
    const read = await readTracked(session.sid, now, settings);
    cached = read.cached;
    if (!read.forgotten) {
      if (cache.size >= settings.verdictCacheSize) cache.delete(cache.keys().next().value!);
      cache.delete(session.sid);
      cache.set(session.sid, cached);
    }
  }
  revalidateEveryHalfInterval(settings);
  const touchEverySec = Math.max(1, Math.min(TOUCH_INTERVAL_SEC, Math.floor(settings.idleTimeoutSec / 4)));
  if (activity && cached.verdict === 'active' && now - cached.lastSeen >= touchEverySec) {
    cached.lastSeen = now;
    noteActivity(session.sid, now, touchEverySec);
  }
  return cached.verdict;
}

interface RegistryRow {
  readonly revokedAt: Date | null;
  readonly revokedReason: string | null;
  readonly lastSeenAt: Date;
}

/** Reads `sid`'s verdict, and says whether its end was heard of meanwhile. */
async function readTracked(sid: string, now: number, settings: RegistryCheckSettings): Promise<{ cached: Cached; forgotten: boolean }> {
  const read: PendingRead = { forgotten: false };
  const reads = pendingReads.get(sid) ?? new Set<PendingRead>();
  pendingReads.set(sid, reads.add(read));
  try {
    return { cached: await readVerdict(sid, now, settings), forgotten: read.forgotten };
  } finally {
    reads.delete(read);
    if (reads.size === 0) pendingReads.delete(sid);
  }
}

async function readVerdict(sid: string, now: number, settings: RegistryCheckSettings): Promise<Cached> {
  // Raw: the first sight of every session pays this read, and the query builder's own
  // work doubles it (npm run bench, micro). The same SQL on SQLite and PostgreSQL.
  const [row] = await db().$queryRaw<RegistryRow[]>`SELECT "revokedAt", "revokedReason", "lastSeenAt" FROM "Session" WHERE "id" = ${sid}`;
  if (!row || row.revokedAt) {
    const verdict = row?.revokedReason === REPLACED_REASON ? 'replaced' : row?.revokedReason === IDP_LOGOUT_REASON ? 'idp_logout' : 'revoked';
    return { verdict, checkedAt: now, trustedAt: now, lastSeen: 0 };
  }
  const lastSeen = Math.floor(row.lastSeenAt.getTime() / 1000);
  return { verdict: now - lastSeen > settings.idleTimeoutSec ? 'idle' : 'active', checkedAt: now, trustedAt: now, lastSeen };
}

/** Sessions per revalidation query: an IN list this long stays well inside both databases' limits. */
const REVALIDATE_BATCH = 1000;

/**
 * Confirms, a thousand per query, the live verdicts this process holds that are at least
 * half REGISTRY_CHECK_INTERVAL old: those still live are trusted for another interval
 * (with the latest lastSeenAt another instance wrote), the others are forgotten and read
 * again by their next request. Returns how many it forgot. `now`: epoch seconds.
 */
export async function revalidateVerdicts(settings: RegistryCheckSettings, now: number): Promise<number> {
  const due = [...cache].filter(([, cached]) => cached.verdict === 'active' && now - cached.checkedAt >= settings.registryCheckSec / 2).map(([sid]) => sid);
  let dropped = 0;
  for (let i = 0; i < due.length; i += REVALIDATE_BATCH) {
    const ids = due.slice(i, i + REVALIDATE_BATCH);
    const rows = await db().session.findMany({ where: { id: { in: ids }, revokedAt: null }, select: { id: true, lastSeenAt: true } });
    const live = new Map(rows.map((row) => [row.id, Math.floor(row.lastSeenAt.getTime() / 1000)]));
    for (const sid of ids) {
      const cached = cache.get(sid);
      if (cached?.verdict !== 'active') continue;
      const lastSeen = live.get(sid);
      if (lastSeen === undefined) {
        forgetRegistryVerdict(sid);
        dropped += 1;
        continue;
      }
      cached.checkedAt = Math.max(cached.checkedAt, now);
      cached.lastSeen = Math.max(cached.lastSeen, lastSeen);
    }
  }
  return dropped;
}

const globalForSweep = globalThis as unknown as { renewalVerdictSweep?: NodeJS.Timeout };

function revalidateEveryHalfInterval(settings: RegistryCheckSettings): void {
  if (globalForSweep.renewalVerdictSweep) return;
  globalForSweep.renewalVerdictSweep = setInterval(() => {
    revalidateVerdicts(settings, Math.floor(Date.now() / 1000)).catch((error: unknown) => {
      // Verdicts not confirmed expire at REGISTRY_CHECK_INTERVAL and are read one by one.
      logOncePerMinute(`could not revalidate cached session verdicts (${error instanceof Error ? error.message : String(error)})`, { level: 'warn' });
    });
  }, Math.max(1, settings.registryCheckSec / 2) * 1000);
  globalForSweep.renewalVerdictSweep.unref();
}

/** How old a verdict may be to stand in for one the database cannot give right now. */
const LAST_KNOWN_MAX_AGE_SEC = 30;

/**
 * For renders the proxy has just admitted (Server Components, the header): the
 * registry's verdict or, when the database does not answer, the last one this process
 * read if it is recent. A page is not turned into a 500 by a database hiccup that began
 * after the proxy let its request through; requests that renew still get a 503.
 */
export async function checkRegistryOrLastKnown(session: Pick<SessionPayload, 'sid'>, now: number, settings: RegistryCheckSettings): Promise<RegistryVerdict> {
  try {
    return await checkRegistry(session, now, settings);
  } catch (error) {
    // Last trusted, not last read: a verdict read minutes ago and trusted since (its end
    // not heard of) is as good as one read just before the database went away.
    const cached = cache.get(session.sid);
    if (cached && now - cached.trustedAt <= LAST_KNOWN_MAX_AGE_SEC) return cached.verdict;
    throw error;
  }
}

/** Call after revoking a session so this process stops accepting it immediately. */
export function forgetRegistryVerdict(sessionId: string): void {
  cache.delete(sessionId);
  for (const read of pendingReads.get(sessionId) ?? []) read.forgotten = true;
}

/**
 * Starts, once per process, hearing of sessions ended by any instance (session-ends.ts):
 * each drops its cached verdict here, so the session's next request reads the registry
 * and is refused, within a second.
 */
export function followEndedSessions(databaseUrl: string): SessionEnds {
  return (globalForCache.renewalSessionEnds ??= followSessionEnds({
    db: db(),
    listenUrl: databaseKind(databaseUrl) === 'postgresql' ? databaseUrl : undefined,
    onEnded: forgetRegistryVerdict,
    onProblem: logFollowProblem,
  }));
}

/** A database that is down says so on every request already: once a minute is enough here. */
function logFollowProblem(error: unknown): void {
  const what = error instanceof Error ? error.message : String(error);
  logOncePerMinute(`following sessions ended on other instances hit a problem (${what}); it reconnects and reads the log again; meanwhile cached verdicts stand ${UNHEARD_VERDICT_SEC} s at most`, { level: 'warn' });
}
