import 'server-only';
import { createHash, randomUUID } from 'node:crypto';
import type { Db } from '../db/client';
import { audit, type AuditType, revokeSession } from '../sessions';
import type { RenewOutcome } from './decision';
import type { RefreshResult } from './oidc';
import { type CookieSettings, sealTokens, unsealTokens } from './session-cookie';
import type { SessionData, TokenSet } from './session-data';

/**
 * Refresh coordination: one refresh per session per expiry, across concurrent requests,
 * processes and instances.
 *
 * IdPs rotate refresh tokens and treat reuse of a spent one as theft, revoking the whole
 * grant. A browser sends many requests at once with the same cookie; refreshing once
 * per request would spend the token on the first and get the person signed out by the
 * second. So:
 *  1. within a process, requests with the same cookie share one in-flight renewal;
 *  2. across processes, the registry row carries a lease taken by a conditional update;
 *     whoever holds it refreshes, the others wait and adopt the result;
 *  3. a request still carrying the previous cookie within the grace window adopts the
 *     newest token set, kept sealed in the row, instead of spending its spent token;
 *  4. a refresh token known to be spent is never sent to the IdP.
 */
export interface RenewerDeps {
  readonly db: Db;
  readonly cookie: CookieSettings;
  readonly graceSec: number;
  readonly refreshTimeoutMs: number;
  refresh(refreshToken: string, subject: string, now: number): Promise<RefreshResult>;
  /** Epoch seconds; injected so tests can move time. */
  now(): number;
}

export type Renewer = (session: SessionData, now: number) => Promise<RenewOutcome>;

type SessionRow = NonNullable<Awaited<ReturnType<Db['session']['findUnique']>>>;

const POLL_MS = 100;
/** After a transient failure, requests of the same session wait this long before trying the IdP again. */
const RETRY_AFTER_TRANSIENT_SEC = 2;

export function hashRefreshToken(refreshToken: string): string {
  return createHash('sha256').update(refreshToken).digest('base64url');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How a cookie's token set relates to the registry's newest one. */
type Standing = 'current' | 'adopt' | 'superseded';

function standing(session: SessionData, row: SessionRow, now: number, graceSec: number): Standing {
  const hash = session.tokens.refreshToken ? hashRefreshToken(session.tokens.refreshToken) : undefined;
  if (row.tokenVersion === session.tokenVersion) return hash === row.refreshTokenHash ? 'current' : 'superseded';
  if (row.tokenVersion < session.tokenVersion) return 'superseded';
  // The IdP did not rotate: our token is still the live one, so adopting is always safe.
  if (hash === row.refreshTokenHash) return 'adopt';
  const rotatedAt = row.rotatedAt ? Math.floor(row.rotatedAt.getTime() / 1000) : 0;
  const previousGeneration = row.tokenVersion === session.tokenVersion + 1 && hash === row.previousRefreshTokenHash;
  return previousGeneration && now - rotatedAt <= graceSec ? 'adopt' : 'superseded';
}

export function createRenewer(deps: RenewerDeps): Renewer {
  const instanceId = randomUUID();
  const inFlight = new Map<string, Promise<RenewOutcome>>();
  const retryAfter = new Map<string, number>();
  const leaseMs = deps.refreshTimeoutMs + 5000;

  const findRow = (sid: string) => deps.db.session.findUnique({ where: { id: sid } });

  const record = (type: AuditType, session: SessionData, reason?: string) =>
    audit({ type, sessionId: session.sid, userId: session.userId, reason }, deps.db);

  async function takeLease(row: SessionRow): Promise<boolean> {
    const now = new Date();
    const { count } = await deps.db.session.updateMany({
      where: { id: row.id, tokenVersion: row.tokenVersion, revokedAt: null, OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] },
      data: { leaseOwner: instanceId, leaseUntil: new Date(now.getTime() + leaseMs) },
    });
    return count === 1;
  }

  async function releaseLease(sid: string): Promise<void> {
    await deps.db.session.updateMany({ where: { id: sid, leaseOwner: instanceId }, data: { leaseOwner: null, leaseUntil: null } });
  }

  async function adopt(session: SessionData, row: SessionRow): Promise<SessionData | undefined> {
    const tokens = row.latestTokens ? await unsealTokens(row.latestTokens, deps.cookie) : undefined;
    return tokens ? { ...session, tokens, tokenVersion: row.tokenVersion } : undefined;
  }

  /** Holding the lease: spend the refresh token once and publish the new set. */
  async function refreshAsLeader(session: SessionData, row: SessionRow): Promise<RenewOutcome | 'again'> {
    const refreshToken = session.tokens.refreshToken!;
    const result = await deps.refresh(refreshToken, session.sub, deps.now());

    if (result.kind === 'ok') {
      const tokens: TokenSet = result.tokens;
      const { count } = await deps.db.session.updateMany({
        where: { id: row.id, tokenVersion: row.tokenVersion, leaseOwner: instanceId, revokedAt: null },
        data: {
          tokenVersion: row.tokenVersion + 1,
          refreshTokenHash: hashRefreshToken(tokens.refreshToken ?? refreshToken),
          previousRefreshTokenHash: row.refreshTokenHash,
          rotatedAt: new Date(deps.now() * 1000),
          latestTokens: await sealTokens(tokens, deps.cookie),
          leaseOwner: null,
          leaseUntil: null,
        },
      });
      // Nothing updated: the session was revoked (a sign-out raced this refresh) and must
      // not come back to life; let the loop re-read and decide.
      if (count === 0) return 'again';
      retryAfter.delete(session.sid);
      await record('refresh', session);
      return { kind: 'renewed', session: { ...session, tokens, tokenVersion: row.tokenVersion + 1 } };
    }

    if (result.kind === 'terminal') {
      // Before giving up, re-read: another instance may have rotated the token meanwhile.
      const fresh = await findRow(row.id);
      if (fresh && !fresh.revokedAt && fresh.tokenVersion > row.tokenVersion) return 'again';
      await revokeSession(row.id, 'refresh_failed', new Date(deps.now() * 1000), deps.db);
      await record('refresh_failed', session, result.error);
      return { kind: 'terminal', reason: 'refresh_failed' };
    }

    await releaseLease(row.id);
    retryAfter.set(session.sid, deps.now() + RETRY_AFTER_TRANSIENT_SEC);
    await record('refresh_unavailable', session, result.error);
    return { kind: 'transient' };
  }

  /** Waits until the lease holder publishes a new generation or lets the lease go. */
  async function waitForLeaseHolder(sid: string, version: number, deadline: number): Promise<void> {
    while (Date.now() < deadline) {
      await sleep(POLL_MS);
      const row = await findRow(sid);
      if (!row || row.revokedAt || row.tokenVersion !== version) return;
      if (!row.leaseUntil || row.leaseUntil.getTime() < Date.now()) return;
    }
  }

  async function coordinate(initial: SessionData): Promise<RenewOutcome> {
    const deadline = Date.now() + leaseMs + 2000;
    let session = initial;
    while (Date.now() < deadline) {
      const row = await findRow(session.sid);
      if (!row || row.revokedAt) return { kind: 'terminal', reason: 'revoked' };
      const now = deps.now();
      const position = standing(session, row, now, deps.graceSec);
      if (position === 'superseded') return { kind: 'terminal', reason: 'superseded' };
      if (position === 'adopt') {
        const adopted = await adopt(session, row);
        if (!adopted) return { kind: 'terminal', reason: 'superseded' };
        // The adopted set may itself have expired by now: renew from it.
        if (adopted.tokens.expiresAt > now || !adopted.tokens.refreshToken) return { kind: 'renewed', session: adopted };
        session = adopted;
        continue;
      }
      if ((retryAfter.get(session.sid) ?? 0) > now) return { kind: 'transient' };
      if (await takeLease(row)) {
        const outcome = await refreshAsLeader(session, row);
        if (outcome !== 'again') return outcome;
        continue;
      }
      await waitForLeaseHolder(row.id, row.tokenVersion, deadline);
    }
    return { kind: 'transient' };
  }

  return function renew(session: SessionData): Promise<RenewOutcome> {
    const key = `${session.sid}:${session.tokenVersion}`;
    let flight = inFlight.get(key);
    if (!flight) {
      flight = coordinate(session)
        .catch((error: unknown) => {
          // A database hiccup must not sign anyone out: treat it like an unreachable IdP.
          console.error('renewal: refresh coordination failed:', error instanceof Error ? error.message : error);
          return { kind: 'transient' } as const;
        })
        .finally(() => inFlight.delete(key));
      inFlight.set(key, flight);
    }
    return flight;
  };
}
