import 'server-only';
import { createHash, randomUUID } from 'node:crypto';
import type { Db } from '../../db/client';
import { countRefresh, observeLeaseWait } from '../../telemetry/metrics';
import { type CookieSettings, sealTokens, unsealTokens } from '../cookie/sealed-cookie';
import type { RefreshTokenProbe } from '../idp/oidc';
import type { RefreshResult } from '../idp/refresh-result';
import { audit, type AuditType, REPLACED_REASON, revokeSession, updateUserProfile } from '../registry/registry';
import { changedClaims, type DpopKey, isReference, type SessionData, type SessionPayload, type TokenSet, withTokens } from '../session-payload';
import type { RenewOutcome } from './decision';
import { type ClaimsSource, claimsAfterRenewal } from './profile-claims';

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
 *     grace window, and the last few for as long as the session lives (a renewal's
 *     Set-Cookie may never have reached the browser, or a late answer put an older one back);
 *  4. a refresh token that may have been spent — an attempt whose answer never came, a
 *     lease whose holder vanished — is resent only after the IdP's introspection says it
 *     is still active; otherwise the session asks for a silent re-authentication.
 */
export interface RenewerDeps {
  readonly db: Db;
  readonly cookie: CookieSettings;
  readonly graceSec: number;
  readonly refreshTimeoutMs: number;
  /** `dpopKey`: the session's DPoP key, when its tokens are bound to one (RFC 9449). */
  refresh(refreshToken: string, subject: string, now: number, dpopKey?: DpopKey): Promise<RefreshResult>;
  /** Token introspection (RFC 7662): may a possibly spent refresh token still be used? */
  probe(refreshToken: string): Promise<RefreshTokenProbe>;
  /** Revokes a refresh token nobody will ever use (RFC 7009); must not throw. */
  revoke(refreshToken: string): Promise<unknown>;
  /** Where a renewal whose answer carries no profile claims reads them (userinfo); never, when absent. */
  readonly claims?: ClaimsSource;
  /** Epoch seconds; injected so tests can move time. */
  now(): number;
}

/** Takes the cookie's session, or its reference (reference mode) when its generation's tokens are no longer in the registry. */
export type Renewer = (session: SessionPayload, now: number) => Promise<RenewOutcome>;

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

/**
 * How many generations behind the current one a cookie may be and still adopt, whatever
 * their age. Set-Cookie headers reach a browser in the order its responses arrive, not
 * the order they were decided: a slow answer (a cold instance, a stalled proxy) can put a
 * generation back into the jar after the browser's other requests renewed past it — the
 * soak saw four generations under overload (answers 14 s late, 4-s tokens). A count, not
 * seconds, so that a slow machine or network does not turn into sign-outs; older copies
 * are still refused (docs/ARCHITECTURE.md, "Which cookies may adopt").
 */
export const ADOPTABLE_GENERATIONS_BEHIND = 5;

const POLL_MS = 100;
/** After a failure, no instance asks the IdP about this session again before this many seconds. */
const RETRY_AFTER_FAILURE_SEC = 2;
const MAX_ADOPTIONS_REMEMBERED = 10_000;
/** Sequential IdP calls one attempt may make: discovery, introspection, the token request, the signing keys, userinfo. */
const IDP_CALLS_PER_ATTEMPT = 5;

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

/**
 * How a cookie's token set relates to the registry's newest one. A refusal says which
 * rule refused and what it compared: it goes into the audit trail, so that a wrong
 * sign-out can be explained from the trail alone.
 */
type Standing = { readonly kind: 'current' } | { readonly kind: 'adopt' } | { readonly kind: 'superseded'; readonly why: string };

const CURRENT: Standing = { kind: 'current' };
const ADOPT: Standing = { kind: 'adopt' };

/** The hash of the refresh token a cookie holds; a reference cookie carries the hash instead of the token. */
function refreshTokenHashOf(session: SessionPayload): string | null {
  if (isReference(session)) return session.tokenRef.refreshTokenHash;
  return session.tokens.refreshToken ? hashRefreshToken(session.tokens.refreshToken) : null;
}

function standing(session: SessionPayload, row: SessionRow, now: number, graceSec: number): Standing {
  const hash = refreshTokenHashOf(session);
  const cookie = `cookie generation ${session.tokenVersion}`;
  if (row.tokenVersion === session.tokenVersion) {
    return hash === row.refreshTokenHash ? CURRENT : { kind: 'superseded', why: `${cookie} is the registry's, but its refresh token is not` };
  }
  if (row.tokenVersion < session.tokenVersion) return { kind: 'superseded', why: `${cookie} is ahead of the registry's ${row.tokenVersion}` };
  // The IdP did not rotate: our token is still the live one, so adopting is always safe.
  if (hash !== null && hash === row.refreshTokenHash) return ADOPT;
  const history = supersededGenerations(row);
  const generation = history.find((entry) => entry.v === session.tokenVersion);
  const kept = `registry at ${row.tokenVersion}, history [${history.map((entry) => `${entry.v}${entry.held ? ' held' : ''} ${now - entry.at} s ago`).join(', ')}]`;
  if (!generation) return { kind: 'superseded', why: `${cookie} is not in the history (${kept})` };
  if (generation.hash !== hash) return { kind: 'superseded', why: `${cookie}'s refresh token is not the one that generation had (${kept})` };
  if (now - generation.at <= graceSec || generation.held) return ADOPT;
  // The renewal that replaced it may have lost its Set-Cookie (aborted navigation, closed
  // laptop), or a late answer put it back in the jar: the last few generations stay
  // adoptable while the session lives. docs/ARCHITECTURE.md, "Which cookies may adopt",
  // says why this is safe.
  if (row.tokenVersion - session.tokenVersion <= ADOPTABLE_GENERATIONS_BEHIND) return ADOPT;
  return {
    kind: 'superseded',
    why: `${cookie} was replaced ${now - generation.at} s ago, past the ${graceSec}-s grace, is not held and is more than ${ADOPTABLE_GENERATIONS_BEHIND} generations behind (${kept})`,
  };
}

/**
 * The history after `row`'s current generation is replaced at `now`: those replaced within
 * the grace window, the last ADOPTABLE_GENERATIONS_BEHIND, and `heldVersion` — the
 * generation the renewing request's cookie carried, when older: a chain of renewals whose
 * answers were all lost (aborted navigations) must not leave that browser behind and refused.
 */
function historyAfterRotation(row: SessionRow, now: number, graceSec: number, heldVersion: number | undefined): string {
  const current = row.tokenVersion + 1;
  const kept = supersededGenerations(row)
    .filter((entry) => now - entry.at <= graceSec || entry.v === heldVersion || current - entry.v <= ADOPTABLE_GENERATIONS_BEHIND)
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

/** A silent re-authentication gives up publishing after this many concurrent publications in a row. */
const MAX_PUBLISH_ATTEMPTS = 10;

/**
 * Publishes tokens obtained by a new authorization (a silent re-authentication) as the
 * session's next generation, so requests still carrying an old cookie adopt them.
 * `heldVersion`: the generation the browser's cookie carried on the way back from the IdP;
 * its other requests in flight carry it too, so it stays adoptable (like a renewal's).
 * Another tab's re-authentication may publish first: these tokens then go on top of its
 * generation, never into a new session (that would end the one every tab holds). Returns
 * the new generation, or undefined when the session is no longer alive.
 */
export async function publishReauthentication(db: Db, sid: string, tokens: TokenSet, now: number, graceSec: number, cookie: CookieSettings, heldVersion?: number): Promise<number | undefined> {
  for (let attempt = 0; attempt < MAX_PUBLISH_ATTEMPTS; attempt++) {
    const row = await db.session.findUnique({ where: { id: sid } });
    if (!row || row.revokedAt) return undefined;
    const held = heldVersion !== undefined && heldVersion < row.tokenVersion ? heldVersion : undefined;
    const { count } = await db.session.updateMany({
      where: { id: sid, tokenVersion: row.tokenVersion, revokedAt: null },
      data: await nextGeneration(row, tokens, now, graceSec, cookie, held),
    });
    if (count === 1) return row.tokenVersion + 1;
  }
  return undefined;
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

  const record = (type: AuditType, session: SessionPayload, reason?: string) =>
    audit({ type, sessionId: session.sid, userId: session.userId, reason }, deps.db);

  /**
   * Takes the lease if it is free or has run out, and only from the holder `row` shows
   * (compare-and-set): what the caller concludes from `row.leaseOwner` — whether a
   * holder vanished mid-attempt — is then still true when the lease is taken, however long
   * this update waited (a database restart can hold it for seconds).
   */
  async function takeLease(row: SessionRow): Promise<boolean> {
    const now = new Date();
    // Also compared: the refresh token's state and the back-off, which the caller's decision
    // rested on too. Another instance may have taken the lease, failed and released it
    // (owner back to null, state unknown or spent, a retryAfter) in between: its release
    // must not pass for a lease nobody touched, or a possibly spent token would be sent
    // without introspection and before the back-off ends.
    const { count } = await deps.db.session.updateMany({
      where: {
        id: row.id,
        tokenVersion: row.tokenVersion,
        revokedAt: null,
        leaseOwner: row.leaseOwner,
        refreshTokenState: row.refreshTokenState,
        retryAfter: row.retryAfter,
        OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }],
      },
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

  async function adopt(session: SessionPayload, row: SessionRow): Promise<SessionData | undefined> {
    const tokens = row.latestTokens ? await unsealTokens(row.latestTokens, deps.cookie) : undefined;
    if (!tokens) return undefined;
    const key = `${session.sid}:${row.tokenVersion}`;
    if (!adoptionsAudited.has(key)) {
      if (adoptionsAudited.size >= MAX_ADOPTIONS_REMEMBERED) adoptionsAudited.clear();
      adoptionsAudited.add(key);
      await record('adopted', session, `generation ${session.tokenVersion} took ${row.tokenVersion}`);
      countRefresh('adopted');
    }
    return withTokens(session, tokens, row.tokenVersion);
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
    countRefresh('reauthenticate');
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

    const result = await deps.refresh(refreshToken, session.sub, deps.now(), session.dpopKey);
    countRefresh(result.kind === 'ok' ? 'renewed' : result.kind);
    switch (result.kind) {
      case 'ok': {
        // OIDC Core 12.2 lets a refresh answer omit the ID token: keep the registry's (the
        // cookie carries none) for sign-out's id_token_hint.
        const tokens: TokenSet = {
          ...result.tokens,
          idToken: result.tokens.idToken ?? (await currentIdToken(row)) ?? session.tokens.idToken,
          claims: await claimsAfterRenewal(session, result.claims, result.tokens.accessToken, deps.now(), deps.claims),
        };
        const { count } = await deps.db.session.updateMany({
          where: { id: row.id, tokenVersion: row.tokenVersion, leaseOwner: instanceId, revokedAt: null },
          data: await nextGeneration(row, tokens, deps.now(), deps.graceSec, deps.cookie, heldVersion),
        });
        if (count === 0) {
          await discardUnpublished(row.id, tokens.refreshToken, refreshToken);
          return 'again';
        }
        await record('refresh', session);
        const renewed = withTokens(session, tokens, row.tokenVersion + 1);
        await recordProfileChange(session, renewed);
        return { kind: 'renewed', session: renewed };
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

  /**
   * The person's record and the audit trail follow a renewal that changed their name or
   * email. The renewal is published already: a failure here is logged, never a sign-out.
   */
  async function recordProfileChange(before: SessionData, after: SessionData): Promise<void> {
    const changed = changedClaims(before, after);
    if (changed.length === 0) return;
    try {
      await updateUserProfile(after.userId, { name: after.name, email: after.email }, deps.db);
      await record('profile_updated', after, changed.join(', '));
    } catch (error) {
      console.error('renewal: could not record a profile change:', error instanceof Error ? error.message : error);
    }
  }

  /**
   * A refresh whose result could not be published (the row changed under the lease). When
   * the session was ended for good (signed out, revoked), the new refresh token — which
   * nobody will ever hold — is revoked at the IdP. Not when the row was replaced by a new
   * sign-in or advanced by a silent re-authentication: those share the IdP grant, and at
   * many IdPs revoking one refresh token ends the whole grant, and with it a live session.
   */
  async function discardUnpublished(sid: string, fresh: string | undefined, spent: string): Promise<void> {
    if (!fresh || fresh === spent) return;
    const row = await findRow(sid);
    if (row?.revokedAt && row.revokedReason !== REPLACED_REASON) await deps.revoke(fresh);
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

  async function coordinate(initial: SessionPayload): Promise<RenewOutcome> {
    const deadline = Date.now() + leaseMs + 2000;
    let session: SessionPayload = initial;
    while (Date.now() < deadline) {
      const row = await findRow(session.sid);
      if (!row || row.revokedAt) return { kind: 'terminal', reason: row?.revokedReason === REPLACED_REASON ? 'superseded' : 'revoked' };
      const now = deps.now();
      const position = standing(session, row, now, deps.graceSec);
      if (position.kind === 'superseded') {
        await record('refused', session, position.why);
        return { kind: 'terminal', reason: 'superseded' };
      }
      // A reference holds no token to refresh with: the row's set is the only way on.
      if (position.kind === 'adopt' || isReference(session)) {
        const adopted = await adopt(session, row);
        if (!adopted) {
          await record('refused', session, 'the registry holds no token set to adopt');
          return { kind: 'terminal', reason: 'superseded' };
        }
        if (adopted.tokens.expiresAt > now) return { kind: 'renewed', session: adopted };
        // The adopted set is due: renew from it, or, with no refresh token to renew it,
        // end here rather than hand out an expired access token.
        if (!adopted.tokens.refreshToken) return { kind: 'terminal', reason: 'expired' };
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
      const waitStarted = performance.now();
      await waitForLeaseHolder(row.id, row.tokenVersion, deadline);
      observeLeaseWait((performance.now() - waitStarted) / 1000);
    }
    return { kind: 'transient' };
  }

  return function renew(session: SessionPayload): Promise<RenewOutcome> {
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
