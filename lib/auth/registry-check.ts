import 'server-only';
import { db } from '../db';
import { REPLACED_REASON } from './registry';
import type { RegistryVerdict } from './decision';
import type { SessionData } from './session-payload';

/**
 * The registry's word on a session, cached per process for a few seconds: a valid
 * cookie is validated by cryptography alone, and the database is read at most once per
 * interval per session. Revocations made by this process take effect at once
 * (`forgetRegistryVerdict`); those made elsewhere within the interval.
 */
interface Cached {
  readonly verdict: RegistryVerdict;
  readonly checkedAt: number;
}

const MAX_ENTRIES = 10_000;
// On globalThis: Next.js bundles the proxy and the route handlers separately, and a
// sign-out handled by a route must clear what the proxy caches in the same process.
const globalForCache = globalThis as unknown as { renewalRegistryVerdicts?: Map<string, Cached> };
const cache = (globalForCache.renewalRegistryVerdicts ??= new Map<string, Cached>());

export interface RegistryCheckSettings {
  readonly idleTimeoutSec: number;
  readonly registryCheckSec: number;
}

/** lastSeenAt is written at most this often per session. */
const TOUCH_INTERVAL_SEC = 60;

export async function checkRegistry(session: SessionData, now: number, settings: RegistryCheckSettings): Promise<RegistryVerdict> {
  const cached = cache.get(session.sid);
  if (cached && now - cached.checkedAt < settings.registryCheckSec) return cached.verdict;

  const row = await db().session.findUnique({ where: { id: session.sid }, select: { revokedAt: true, revokedReason: true, lastSeenAt: true } });
  let verdict: RegistryVerdict;
  if (!row || row.revokedAt) {
    verdict = row?.revokedReason === REPLACED_REASON ? 'replaced' : 'revoked';
  } else {
    const lastSeen = Math.floor(row.lastSeenAt.getTime() / 1000);
    verdict = now - lastSeen > settings.idleTimeoutSec ? 'idle' : 'active';
    if (verdict === 'active' && now - lastSeen >= TOUCH_INTERVAL_SEC) {
      await db().session.update({ where: { id: session.sid }, data: { lastSeenAt: new Date(now * 1000) } });
    }
  }
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.delete(session.sid);
  cache.set(session.sid, { verdict, checkedAt: now });
  return verdict;
}

/** Call after revoking a session so this process stops accepting it immediately. */
export function forgetRegistryVerdict(sessionId: string): void {
  cache.delete(sessionId);
}
