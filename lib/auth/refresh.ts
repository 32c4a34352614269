import 'server-only';
import { createHash, randomUUID } from 'node:crypto';
import type { Db } from '../db/client';
import { audit, type AuditType, REPLACED_REASON, revokeSession } from './registry';
import type { RenewOutcome } from './decision';
import type { RefreshResult, RefreshTokenProbe } from './oidc';
import { type CookieSettings, sealTokens, unsealTokens } from './sealed-cookie';
import type { SessionData, TokenSet } from './session-payload';

/**
 * Refresh coordination: one refresh per session per expiry, across concurrent requests,
 * processes and instances, and never a refresh token sent twice.
 *
 * IdPs rotate refresh tokens and treat reuse of a spent one as theft, revoking the whole
 * grant. A browser sends many requests at once with the same cookie; refreshing once
 * per request would spend the token on the first and get the person signed out by the
 * second. So:
 *  1. within a process, requests with the same cookie share one in-flight renewal;
 *  2. across processes, the registry row carries a lease taken by a conditional update;
 *     whoever holds it talks to the IdP, the others wait and adopt the result;
 *  3. a cookie of an older generation adopts the newest token set, kept sealed in the
 *     row, instead of spending its spent token: any generation superseded within the
 *     grace window, and the one just before the current one for as long as the session
 *     lives (its renewal's Set-Cookie may never have reached the browser);
 *  4. a refresh token that may have been spent — an attempt whose answer never came, a
 *     lease whose holder vanished — is resent only after the IdP's introspection says it
 *     is still active; otherwise the session asks for a silent re-authentication.
 */
export interface RenewerDeps {
  readonly db: Db;
  readonly cookie: CookieSettings;
  readonly graceSec: number;
  readonly refreshTimeoutMs: number;
  refresh(refreshToken: string, subject: string, now: number): Promise<RefreshResult>;
  /** Token introspection (RFC 7662): may a possibly spent refresh token still be used? */
  probe(refreshToken: string): Promise<RefreshTokenProbe>;
  /** Revokes a refresh token nobody will ever use (RFC 7009); must not throw. */
  revoke(refreshToken: string): Promise<unknown>;
  /** Epoch seconds; injected so tests can move time. */
  now(): number;
}

export type Renewer = (session: SessionData, now: number) => Promise<RenewOutcome>;

type SessionRow = NonNullable<Awaited<ReturnType<Db['session']['findUnique']>>>;

/** Whether the row's current refresh token can be sent to the IdP. */
type RefreshTokenState = 'live' | 'unknown' | 'spent';

/** A generation that was replaced: its refresh token's hash and when (epoch seconds). */
interface SupersededGeneration {
  readonly v: number;
  readonly hash: string | null;
  readonly at: number;
  /**
   * A browser still held this generation when the newest one was made: its request
   * adopted and renewed, and that answer may be lost too. Adoptable until a renewal made
   * from a newer cookie shows the browser has moved on.
   */
  readonly held?: true;
}

const POLL_MS = 100;
/** After a failure, no instance asks the IdP about this session again before this many seconds. */
const RETRY_AFTER_FAILURE_SEC = 2;
const MAX_ADOPTIONS_REMEMBERED = 10_000;
/** Sequential IdP calls one attempt may make: discovery, introspection, the token request. */
const IDP_CALLS_PER_ATTEMPT = 3;

export function hashRefreshToken(refreshToken: string): string {
  return createHash('sha256').update(refreshToken).digest('base64url');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function supersededGenerations(row: SessionRow): SupersededGeneration[] {
  try {
    const parsed: unknown = JSON.parse(row.supersededGenerations ?? '[]');
    return Array.isArray(parsed) ? (parsed as SupersededGeneration[]) : [];
  } catch {
    return [];
  }
}

/** How a cookie's token set relates to the registry's newest one. */
type Standing = 'current' | 'adopt' | 'superseded';

function standing(session: SessionData, row: SessionRow, now: number, graceSec: number): Standing {
  const hash = session.tokens.refreshToken ? hashRefreshToken(session.tokens.refreshToken) : null;
  if (row.tokenVersion === session.tokenVersion) return hash === row.refreshTokenHash ? 'current' : 'superseded';
  if (row.tokenVersion < session.tokenVersion) return 'superseded';
  // The IdP did not rotate: our token is still the live one, so adopting is always safe.
  if (hash !== null && hash === row.refreshTokenHash) return 'adopt';
  const generation = supersededGenerations(row).find((entry) => entry.v === session.tokenVersion);
  if (!generation || generation.hash !== hash) return 'superseded';
  if (now - generation.at <= graceSec || generation.held) return 'adopt';
  // The renewal that replaced it may have lost its Set-Cookie (aborted navigation, closed
  // laptop): the generation just before the current one stays adoptable while the
  // session lives. docs/ARCHITECTURE.md, "Which cookies may adopt", says why this is safe.
  return session.tokenVersion === row.tokenVersion - 1 ? 'adopt' : 'superseded';
}

/**
 * The history after `row`'s current generation is replaced at `now`: recent ones, always
 * the one replaced, and `heldVersion` — the generation the renewing request's cookie
 * carried, when older: two renewals whose answers were both lost (a chain of aborted
 * navigations) must not leave that browser two generations behind and refused.
 */
function historyAfterRotation(row: SessionRow, now: number, graceSec: number, heldVersion: number | undefined): string {
  const kept = supersededGenerations(row)
    .filter((entry) => now - entry.at <= graceSec || entry.v === heldVersion)
    .map(({ held: _previous, ...entry }) => (entry.v === heldVersion ? { ...entry, held: true as const } : entry));
  return JSON.stringify([...kept, { v: row.tokenVersion, hash: row.refreshTokenHash, at: now }]);
}

/** The columns that publish `tokens` as the generation after `row`'s. */
async function nextGeneration(row: SessionRow, tokens: TokenSet, now: number, graceSec: number, cookie: CookieSettings, heldVersion?: number) {
  return {
    tokenVersion: row.tokenVersion + 1,
    refreshTokenHash: tokens.refreshToken ? hashRefreshToken(tokens.refreshToken) : null,
    supersededGenerations: historyAfterRotation(row, now, graceSec, heldVersion),
    latestTokens: await sealTokens(tokens, cookie),
    refreshTokenState: 'live' satisfies RefreshTokenState,
    retryAfter: null,
    leaseOwner: null,
    leaseUntil: null,
  };
}

/**
 * Publishes tokens obtained by a new authorization (a silent re-authentication) as the
 * session's next generation, so requests still carrying the old cookie adopt them.
 * Returns the new generation, or undefined when the session is no longer alive.
 */
export async function publishReauthentication(db: Db, sid: string, tokens: TokenSet, now: number, graceSec: number, cookie: CookieSettings): Promise<number | undefined> {
  const row = await db.session.findUnique({ where: { id: sid } });
  if (!row || row.revokedAt) return undefined;
  const { count } = await db.session.updateMany({
    where: { id: sid, tokenVersion: row.tokenVersion, revokedAt: null },
    data: await nextGeneration(row, tokens, now, graceSec, cookie),
  });
  return count === 1 ? row.tokenVersion + 1 : undefined;
}

export function createRenewer(deps: RenewerDeps): Renewer {
  const instanceId = randomUUID();
  const inFlight = new Map<string, Promise<RenewOutcome>>();
  /** `sid:generation` adoptions already audited by this process: a burst adopts many times, the trail says it once. */
  const adoptionsAudited = new Set<string>();
  // The lease outlives the longest attempt, so it never lapses while its holder may still
  // spend the token: otherwise another instance would send the same token again.
  const leaseMs = IDP_CALLS_PER_ATTEMPT * deps.refreshTimeoutMs + 5000;

  const findRow = (sid: string) => deps.db.session.findUnique({ where: { id: sid } });

  const record = (type: AuditType, session: SessionData, reason?: string) =>
    audit({ type, sessionId: session.sid, userId: session.userId, reason }, deps.db);

  /**
   * Takes the lease if it is free or has run out, and only from the holder `row` shows
   * (compare-and-set): what the caller concludes from `row.leaseOwner` — whether a
   * holder vanished mid-attempt — is then still true when the lease is taken, however long
   * this update waited (a database restart can hold it for seconds).
   */
  async function takeLease(row: SessionRow): Promise<boolean> {
    const now = new Date();
    const { count } = await deps.db.session.updateMany({
      where: { id: row.id, tokenVersion: row.tokenVersion, revokedAt: null, leaseOwner: row.leaseOwner, OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] },
      data: { leaseOwner: instanceId, leaseUntil: new Date(now.getTime() + leaseMs) },
    });
    return count === 1;
  }

  /** Lets the lease go; every instance waits RETRY_AFTER_FAILURE_SEC before the next attempt. */
  async function backOff(row: SessionRow, state: RefreshTokenState): Promise<void> {
    await deps.db.session.updateMany({
      where: { id: row.id, tokenVersion: row.tokenVersion, leaseOwner: instanceId },
      data: { leaseOwner: null, leaseUntil: null, refreshTokenState: state, retryAfter: new Date((deps.now() + RETRY_AFTER_FAILURE_SEC) * 1000) },
    });
  }

  async function currentIdToken(row: SessionRow): Promise<string | undefined> {
    return row.latestTokens ? (await unsealTokens(row.latestTokens, deps.cookie))?.idToken : undefined;
  }

  async function adopt(session: SessionData, row: SessionRow): Promise<SessionData | undefined> {
    const tokens = row.latestTokens ? await unsealTokens(row.latestTokens, deps.cookie) : undefined;
    if (!tokens) return undefined;
    const key = `${session.sid}:${row.tokenVersion}`;
    if (!adoptionsAudited.has(key)) {
      if (adoptionsAudited.size >= MAX_ADOPTIONS_REMEMBERED) adoptionsAudited.clear();
      adoptionsAudited.add(key);
      await record('adopted', session, `generation ${session.tokenVersion} took ${row.tokenVersion}`);
    }
    return { ...session, tokens, tokenVersion: row.tokenVersion };
  }

  /**
   * After an attempt whose answer never came: asks the IdP whether the refresh token is
   * still active. `usable`: it never processed the attempt, so sending it again is safe.
   */
  async function settle(session: SessionData, row: SessionRow): Promise<RenewOutcome | 'usable'> {
    const probe = await deps.probe(session.tokens.refreshToken!);
    if (probe === 'active') return 'usable';
    if (probe === 'unreachable') {
      await backOff(row, 'unknown');
      return { kind: 'transient' };
    }
    await backOff(row, 'spent');
    await record('refresh_lost', session, probe === 'inactive' ? 'refresh_token_inactive' : 'introspection_unsupported');
    return { kind: 'reauthenticate' };
  }

  /** Holding the lease: make sure the token may be spent, spend it once, publish the new set. */
  /** `heldVersion`: the older generation the request's own cookie carried, when it adopted before renewing. */
  async function refreshAsLeader(session: SessionData, row: SessionRow, possiblySpent: boolean, heldVersion: number | undefined): Promise<RenewOutcome | 'again'> {
    const refreshToken = session.tokens.refreshToken!;
    if (possiblySpent) {
      const settled = await settle(session, row);
      if (settled !== 'usable') return settled;
    }

    const result = await deps.refresh(refreshToken, session.sub, deps.now());
    switch (result.kind) {
      case 'ok': {
        // OIDC Core 12.2 lets a refresh answer omit the ID token: keep the registry's (the
        // cookie carries none) for sign-out's id_token_hint.
        const tokens: TokenSet = { ...result.tokens, idToken: result.tokens.idToken ?? (await currentIdToken(row)) ?? session.tokens.idToken };
        const { count } = await deps.db.session.updateMany({
          where: { id: row.id, tokenVersion: row.tokenVersion, leaseOwner: instanceId, revokedAt: null },
          data: await nextGeneration(row, tokens, deps.now(), deps.graceSec, deps.cookie, heldVersion),
        });
        if (count === 0) {
          // A sign-out raced this refresh: the session stays dead, and the new refresh
          // token, which nobody will ever hold, is revoked at the IdP.
          if (tokens.refreshToken && tokens.refreshToken !== refreshToken) await deps.revoke(tokens.refreshToken);
          return 'again';
        }
        await record('refresh', session);
        return { kind: 'renewed', session: { ...session, tokens, tokenVersion: row.tokenVersion + 1 } };
      }
      case 'terminal': {
        // Before giving up, re-read: another instance may have rotated the token meanwhile.
        const fresh = await findRow(row.id);
        if (fresh && !fresh.revokedAt && fresh.tokenVersion > row.tokenVersion) return 'again';
        await revokeSession(row.id, 'refresh_failed', new Date(deps.now() * 1000), deps.db);
        await record('refresh_failed', session, result.error);
        return { kind: 'terminal', reason: 'refresh_failed' };
      }
      case 'uncertain': {
        // The IdP may have rotated: the token is not sent again until introspection says
        // it may be. After a timeout the IdP may still be working on it, so ask later;
        // otherwise (connection cut, unreadable answer) it is done: ask now.
        await record('refresh_unavailable', session, result.error);
        if (result.error === 'timeout') {
          await backOff(row, 'unknown');
          return { kind: 'transient' };
        }
        const settled = await settle(session, row);
        if (settled !== 'usable') return settled;
        await backOff(row, 'live');
        return { kind: 'transient' };
      }
      case 'misconfigured':
        // oidc.ts logs what to change; the person's session waits for the operator.
        await backOff(row, possiblySpent ? 'unknown' : 'live');
        await record('refresh_unavailable', session, result.error);
        return { kind: 'transient' };
      case 'transient':
        await backOff(row, possiblySpent ? 'unknown' : 'live');
        await record('refresh_unavailable', session, result.error);
        return { kind: 'transient' };
    }
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
      if (!row || row.revokedAt) return { kind: 'terminal', reason: row?.revokedReason === REPLACED_REASON ? 'superseded' : 'revoked' };
      const now = deps.now();
      const position = standing(session, row, now, deps.graceSec);
      if (position === 'superseded') return { kind: 'terminal', reason: 'superseded' };
      if (position === 'adopt') {
        const adopted = await adopt(session, row);
        if (!adopted) return { kind: 'terminal', reason: 'superseded' };
        // The adopted set may itself be due: renew from it.
        if (adopted.tokens.expiresAt > now || !adopted.tokens.refreshToken) return { kind: 'renewed', session: adopted };
        session = adopted;
        continue;
      }
      const state = row.refreshTokenState as RefreshTokenState;
      if (state === 'spent') return { kind: 'reauthenticate' };
      if (row.retryAfter && row.retryAfter.getTime() > now * 1000) return { kind: 'transient' };
      // Taking over a lease that was never released (every clean ending clears the owner):
      // its holder vanished or stalled mid-attempt and may have spent the token. Judged
      // from the owner takeLease compares against, not from the clock at read time: a
      // lease still valid when read may have run out by the time it is taken.
      const abandoned = row.leaseOwner !== null;
      if (await takeLease(row)) {
        const heldVersion = initial.tokenVersion < row.tokenVersion ? initial.tokenVersion : undefined;
        const outcome = await refreshAsLeader(session, row, state === 'unknown' || abandoned, heldVersion);
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
