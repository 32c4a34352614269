import 'server-only';
import { type Decision, decideAfterRefresh, decideBeforeRefresh, mayForceRefresh, type RegistryVerdict, type RejectReason, type RenewOutcome, type SessionPolicy } from './decision';
import type { Unsealed } from './sealed-cookie';
import type { SessionData } from './session-payload';

/** The I/O validateSession needs, passed in so the table is tested without a network. */
export interface ValidateDeps {
  readonly policy: SessionPolicy;
  unseal(sealed: string): Promise<Unsealed | undefined>;
  /** The registry's word on the session; may answer from a short-lived cache. `activity`: see ValidateOptions. */
  checkRegistry(session: SessionData, now: number, activity?: boolean): Promise<RegistryVerdict>;
  /** Refreshes (or adopts a concurrent refresh of) the session's tokens. */
  renew(session: SessionData, now: number): Promise<RenewOutcome>;
}

export interface ValidateOptions {
  /**
   * Renew even though the access token looks valid: an API refused it (401). The renewal
   * is coordinated like any other, so a burst of refusals still makes one refresh.
   */
  readonly forceRefresh?: boolean;
  /** The request is the person's own doing: it moves the idle timeout on (lib/auth/registry-check.ts). */
  readonly activity?: boolean;
}

/**
 * Decides what one request's session is worth: the equivalent of ASP.NET Core's
 * `CookieAuthenticationEvents.OnValidatePrincipal`. `now` is epoch seconds.
 *
 * @example
 * const decision = await validateSession(readSessionCookie(request.cookies, secure), nowSeconds(), deps);
 */
export async function validateSession(sealed: string | undefined, now: number, deps: ValidateDeps, options: ValidateOptions = {}): Promise<Decision> {
  if (!sealed) return { kind: 'anonymous' };
  const unsealed = await deps.unseal(sealed);
  if (!unsealed) return { kind: 'rejected', reason: 'invalid' };
  const { session } = unsealed;

  const verdict = await deps.checkRegistry(session, now, options.activity === true);
  const before = decideBeforeRefresh(session, now, deps.policy, verdict);
  const forced = options.forceRefresh === true && before !== 'refresh' && before.kind === 'valid' && mayForceRefresh(session.tokens, now);
  if (before !== 'refresh' && !forced) {
    return before.kind === 'valid' && unsealed.stale ? { ...before, rewrite: true } : before;
  }
  return decideAfterRefresh(session, now, await deps.renew(session, now));
}

/** How long after its expiry an access token still lets a page render: the request may have been admitted just before. */
const RENDER_LEEWAY_SEC = 30;

export type ReadOnlyVerdict = { readonly ok: true; readonly session: SessionData } | { readonly ok: false; readonly reason: RejectReason };

/**
 * The read-only check for code that cannot write cookies (Server Components): the same
 * rules as validateSession — seal, lifetimes, registry — but an access token that needs
 * renewing is accepted only while it has not (or only just) expired; renewing is the
 * proxy's job. A request that skipped the proxy with a dead token gets nothing.
 */
export async function checkSessionReadOnly(sealed: string | undefined, now: number, deps: Omit<ValidateDeps, 'renew'>): Promise<ReadOnlyVerdict> {
  if (!sealed) return { ok: false, reason: 'signin' };
  const unsealed = await deps.unseal(sealed);
  if (!unsealed) return { ok: false, reason: 'invalid' };
  const { session } = unsealed;
  const before = decideBeforeRefresh(session, now, deps.policy, await deps.checkRegistry(session, now));
  if (before === 'refresh') return session.tokens.expiresAt + RENDER_LEEWAY_SEC > now ? { ok: true, session } : { ok: false, reason: 'expired' };
  if (before.kind === 'valid') return { ok: true, session };
  return { ok: false, reason: before.kind === 'rejected' ? before.reason : 'signin' };
}

/**
 * The session a cookie holds if it is alive — seal, lifetimes, registry — whatever its
 * access token's state: for page chrome (whose name the header shows), never to admit a
 * request. An expired token is renewed by the next protected request.
 */
export async function liveSessionReadOnly(sealed: string | undefined, now: number, deps: Omit<ValidateDeps, 'renew'>): Promise<SessionData | undefined> {
  if (!sealed) return undefined;
  const unsealed = await deps.unseal(sealed);
  if (!unsealed) return undefined;
  const before = decideBeforeRefresh(unsealed.session, now, deps.policy, await deps.checkRegistry(unsealed.session, now));
  return before === 'refresh' || before.kind === 'valid' ? unsealed.session : undefined;
}
