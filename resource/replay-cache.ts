import { createHash } from 'node:crypto';

/**
 * The DPoP proof ids (`jti`) this process has taken lately, so that a proof copied off
 * the wire cannot be sent again while its `iat` would still pass (RFC 9449 §11.1).
 *
 * Bounded twice over: an id is hashed, so a 16 kB `jti` costs what a short one does, and
 * past `capacity` live ids the oldest is forgotten. Forgetting beats refusing here: a
 * full cache that refused every new proof would let anyone holding a bound token lock
 * every other client out, while a forgotten id only reopens a proof old enough to be
 * near the end of its window anyway.
 */
export interface ReplayCache {
  /** True the first time `jti` is offered within `ttlSec`; false for a replay. */
  firstUse(jti: string, now: number): boolean;
  readonly size: number;
}

export function createReplayCache(ttlSec: number, capacity: number): ReplayCache {
  /** Hashed jti → epoch second it may be forgotten. Every entry gets the same ttl, so insertion order is expiry order. */
  const until = new Map<string, number>();

  function forgetExpired(now: number): void {
    for (const [id, expiry] of until) {
      if (expiry > now) return;
      until.delete(id);
    }
  }

  return {
    firstUse(jti, now) {
      forgetExpired(now);
      const id = createHash('sha256').update(jti).digest('base64url');
      if (until.has(id)) return false;
      if (until.size >= capacity) until.delete(until.keys().next().value!);
      until.set(id, now + ttlSec);
      return true;
    },
    get size() {
      return until.size;
    },
  };
}
