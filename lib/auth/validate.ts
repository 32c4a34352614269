import 'server-only';
import { type Decision, decideAfterRefresh, decideBeforeRefresh, type RegistryVerdict, type RenewOutcome, type SessionPolicy } from './decision';
import type { Unsealed } from './sealed-cookie';
import type { SessionData } from './session-payload';

/** The I/O validateSession needs, passed in so the table is tested without a network. */
export interface ValidateDeps {
  readonly policy: SessionPolicy;
  unseal(sealed: string): Promise<Unsealed | undefined>;
  /** The registry's word on the session; may answer from a short-lived cache. */
  checkRegistry(session: SessionData, now: number): Promise<RegistryVerdict>;
  /** Refreshes (or adopts a concurrent refresh of) the session's tokens. */
  renew(session: SessionData, now: number): Promise<RenewOutcome>;
}

/**
 * Decides what one request's session is worth: the equivalent of ASP.NET Core's
 * `CookieAuthenticationEvents.OnValidatePrincipal`. `now` is epoch seconds.
 *
 * @example
 * const decision = await validateSession(readSessionCookie(request.cookies, secure), nowSeconds(), deps);
 */
export async function validateSession(sealed: string | undefined, now: number, deps: ValidateDeps): Promise<Decision> {
  if (!sealed) return { kind: 'anonymous' };
  const unsealed = await deps.unseal(sealed);
  if (!unsealed) return { kind: 'rejected', reason: 'invalid' };
  const { session } = unsealed;

  const verdict = await deps.checkRegistry(session, now);
  const before = decideBeforeRefresh(session, now, deps.policy, verdict);
  if (before !== 'refresh') {
    return before.kind === 'valid' && unsealed.stale ? { ...before, rewrite: true } : before;
  }
  return decideAfterRefresh(session, now, await deps.renew(session, now));
}
