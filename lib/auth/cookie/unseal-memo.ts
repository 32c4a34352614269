import 'server-only';
import { absoluteExpiry, type SessionPolicy } from '../session-payload';
import type { Unsealed } from './sealed-cookie';

/**
 * A memo of unsealed session cookies. iron-session derives its keys with PBKDF2 on every
 * unseal (about half a millisecond), a reference cookie (reference mode) costs a registry
 * read besides, and a browser sends the same cookie on every request. Requests arriving
 * together with a cookie not yet seen share one unseal.
 *
 * Why it is safe:
 * - the key is the exact sealed string, so a cookie that differs in one byte misses and
 *   goes through the full cryptographic check; failures are never memoized;
 * - it memoizes only the unseal, never the decision: expiry, idle time and the registry
 *   are judged on every request exactly as without it. For a reference cookie the
 *   unseal includes reading its generation's tokens, which never change once published;
 * - an entry lives at most `ttlSec`, never past the session's absolute lifetime, and is
 *   dropped when its session is revoked in this process;
 * - it holds at most `maxEntries`, evicting the least recently used.
 */
export interface UnsealMemo {
  unseal(sealed: string, now: number): Promise<Unsealed | undefined>;
  /** Records a seal this process just made, so the rest of the request reads it for free. */
  remember(sealed: string, unsealed: Unsealed, now: number): void;
  forgetSession(sid: string): void;
  readonly size: number;
}

interface Entry {
  readonly unsealed: Unsealed;
  readonly until: number;
}

export interface UnsealMemoOptions {
  readonly policy: SessionPolicy;
  readonly maxEntries: number;
  readonly ttlSec: number;
}

export function createUnsealMemo(unsealSlowly: (sealed: string) => Promise<Unsealed | undefined>, options: UnsealMemoOptions): UnsealMemo {
  const entries = new Map<string, Entry>();
  const opening = new Map<string, Promise<Unsealed | undefined>>();

  function remember(sealed: string, unsealed: Unsealed, now: number): void {
    const until = Math.min(now + options.ttlSec, absoluteExpiry(unsealed.session, options.policy));
    if (until <= now) return;
    entries.delete(sealed);
    if (entries.size >= options.maxEntries) entries.delete(entries.keys().next().value!);
    entries.set(sealed, { unsealed, until });
  }

  return {
    async unseal(sealed, now) {
      const hit = entries.get(sealed);
      if (hit && hit.until > now) {
        // Re-insert to keep the map in least-recently-used order.
        entries.delete(sealed);
        entries.set(sealed, hit);
        return hit.unsealed;
      }
      if (hit) entries.delete(sealed);
      let flight = opening.get(sealed);
      if (!flight) {
        flight = unsealSlowly(sealed)
          .then((unsealed) => {
            if (unsealed) remember(sealed, unsealed, now);
            return unsealed;
          })
          .finally(() => opening.delete(sealed));
        opening.set(sealed, flight);
      }
      return flight;
    },
    remember,
    forgetSession(sid) {
      for (const [sealed, entry] of entries) if (entry.unsealed.session.sid === sid) entries.delete(sealed);
    },
    get size() {
      return entries.size;
    },
  };
}
