import type { RegistryVerdict } from '../registry/registry-check';
import { absoluteExpiry, type SessionData, type SessionPayload, type SessionPolicy } from '../session-payload';

/** Why a session was refused. Stable: shown to people (lib/auth/entry/reasons.ts) and in URLs. */
export type RejectReason = 'signin' | 'invalid' | 'expired' | 'idle' | 'revoked' | 'idp_logout' | 'refresh_failed' | 'superseded';

/** What validateSession decided for one request (DESIGN.md, "the decision table"). */
export type Decision =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'valid'; readonly session: SessionData; readonly rewrite: boolean }
  | { readonly kind: 'renewed'; readonly session: SessionData }
  /** `session`: the cookie's session when it could be read, for the audit trail. */
  | { readonly kind: 'rejected'; readonly reason: RejectReason; readonly session?: SessionData }
  /** `session`: a reference (reference mode) when the cookie's generation had to be adopted and could not be. */
  | { readonly kind: 'unavailable'; readonly session: SessionPayload }
  /** The refresh token is lost (spent by an attempt whose answer never came): ask the IdP again, silently. */
  | { readonly kind: 'reauthenticate'; readonly session: SessionPayload };

/** The outcome of asking for fresh tokens (lib/auth/refresh/coordination.ts). */
export type RenewOutcome =
  | { readonly kind: 'renewed'; readonly session: SessionData }
  /** Definitive: the grant is gone, the session revoked, or the cookie superseded. */
  | { readonly kind: 'terminal'; readonly reason: 'refresh_failed' | 'revoked' | 'superseded' | 'expired' }
  /** Try again later: network, timeout, 5xx, 429, a refused client, a lease nobody finished. */
  | { readonly kind: 'transient' }
  /** The refresh token can no longer be used, though nothing says the person's grant is over. */
  | { readonly kind: 'reauthenticate' };

/**
 * Whether a rejection clears the session cookie: only when the session itself is over.
 * A superseded cookie is a stale copy of a live session (or of one this browser replaced
 * by signing in again); the browser may already hold the newer cookie, and a slow answer
 * about the old copy must not delete it.
 */
export function clearsCookie(reason: RejectReason): boolean {
  return reason !== 'superseded' && reason !== 'signin';
}

/**
 * Seconds before expiry at which a token is renewed: the configured window, but never
 * more than a quarter of the token's lifetime, so short-lived tokens are not refreshed
 * on every request.
 */
export function refreshWindow(tokens: SessionData['tokens'], policy: SessionPolicy): number {
  const lifetime = Math.max(0, tokens.expiresAt - tokens.issuedAt);
  return Math.min(policy.refreshWindowSec, Math.max(1, Math.floor(lifetime / 4)));
}

/**
 * Whether an API's refusal (401) may force a renewal: not for a token issued moments ago,
 * which is as fresh as the IdP will give — an API refusing every token must not turn
 * each request into a refresh. At most half the token's lifetime, at most 30 s.
 */
export function mayForceRefresh(tokens: SessionData['tokens'], now: number): boolean {
  const lifetime = Math.max(0, tokens.expiresAt - tokens.issuedAt);
  return tokens.refreshToken !== undefined && now - tokens.issuedAt >= Math.min(30, Math.floor(lifetime / 2));
}

/** Why a session may no longer be used whatever its tokens: its absolute lifetime, the registry's word. */
export function sessionRefusal(session: Pick<SessionPayload, 'createdAt'>, now: number, policy: SessionPolicy, registry: RegistryVerdict): RejectReason | undefined {
  if (now >= absoluteExpiry(session, policy)) return 'expired';
  if (registry === 'revoked') return 'revoked';
  if (registry === 'replaced') return 'superseded';
  if (registry === 'idp_logout') return 'idp_logout';
  if (registry === 'idle') return 'idle';
  return undefined;
}

/** The checks that need nothing but the cookie and the clock. */
export function decideBeforeRefresh(
  session: SessionData,
  now: number,
  policy: SessionPolicy,
  registry: RegistryVerdict,
): Decision | 'refresh' {
  const refusal = sessionRefusal(session, now, policy, registry);
  if (refusal) return { kind: 'rejected', reason: refusal, session };
  if (session.tokens.expiresAt - now > refreshWindow(session.tokens, policy)) {
    return { kind: 'valid', session, rewrite: false };
  }
  if (!session.tokens.refreshToken) return { kind: 'rejected', reason: 'expired', session };
  return 'refresh';
}

/** Maps a refresh outcome to the decision, keeping a still-valid token on a transient failure. */
export function decideAfterRefresh(session: SessionData, now: number, outcome: RenewOutcome): Decision {
  switch (outcome.kind) {
    case 'renewed':
      return { kind: 'renewed', session: outcome.session };
    case 'terminal':
      return { kind: 'rejected', reason: outcome.reason, session };
    case 'transient':
      return session.tokens.expiresAt > now ? { kind: 'valid', session, rewrite: false } : { kind: 'unavailable', session };
    case 'reauthenticate':
      return session.tokens.expiresAt > now ? { kind: 'valid', session, rewrite: false } : { kind: 'reauthenticate', session };
  }
}
