import 'server-only';
import type { Unsealed } from '../cookie/sealed-cookie';
import type { RegistryVerdict } from '../registry/registry-check';
import { isReference, type SessionData, type SessionPayload, type SessionPolicy, type SessionReference } from '../session-payload';
import { type Decision, decideAfterRefresh, decideBeforeRefresh, mayForceRefresh, type RejectReason, type RenewOutcome, sessionRefusal } from './decision';

/** The I/O validateSession needs, passed in so the table is tested without a network. */
export interface ValidateDeps {
  readonly policy: SessionPolicy;
  /** Opens the cookie; a reference (reference mode) comes back with its tokens when the registry still holds them. */
  unseal(sealed: string): Promise<Unsealed | undefined>;
  /** The registry's word on the session; may answer from a short-lived cache. `activity`: see ValidateOptions. */
  checkRegistry(session: SessionPayload, now: number, activity?: boolean): Promise<RegistryVerdict>;
  /** Refreshes (or adopts a concurrent refresh of) the session's tokens. */
  renew(session: SessionPayload, now: number): Promise<RenewOutcome>;
}

export interface ValidateOptions {
  /**
   * Renew even though the access token looks valid: an API refused it (401). The renewal
   * is coordinated like any other, so a burst of refusals still makes one refresh.
   */
  readonly forceRefresh?: boolean;
  /** The request is the person's own doing: it moves the idle timeout on (lib/auth/registry/registry-check.ts). */
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
  if (isReference(session)) return decideForReference(session, now, deps, verdict);
  const before = decideBeforeRefresh(session, now, deps.policy, verdict);
  const forced = options.forceRefresh === true && before !== 'refresh' && before.kind === 'valid' && mayForceRefresh(session.tokens, now);
  if (before !== 'refresh' && !forced) {
    return before.kind === 'valid' && unsealed.stale ? { ...before, rewrite: true } : before;
  }
  return decideAfterRefresh(session, now, await deps.renew(session, now));
}

/**
 * A reference cookie (reference mode) whose generation's tokens the registry no longer
 * holds: it has no token to serve or refresh with, so it goes where any cookie of a
 * replaced generation goes — refresh coordination, which adopts the newest set or refuses
 * it as superseded by the rules for every cookie, comparing the refresh-token hash it
 * carries. Its rejections carry no session (a rejection's `session` holds tokens);
 * refresh coordination records its own refusals in the audit trail.
 */
async function decideForReference(reference: SessionReference, now: number, deps: ValidateDeps, verdict: RegistryVerdict): Promise<Decision> {
  const refusal = sessionRefusal(reference, now, deps.policy, verdict);
  if (refusal) return { kind: 'rejected', reason: refusal };
  const outcome = await deps.renew(reference, now);
  switch (outcome.kind) {
    case 'renewed':
      return { kind: 'renewed', session: outcome.session };
    case 'terminal':
      return { kind: 'rejected', reason: outcome.reason };
    // No access token of its own to fall back on while the IdP is away.
    case 'transient':
      return { kind: 'unavailable', session: reference };
    case 'reauthenticate':
      return { kind: 'reauthenticate', session: reference };
  }
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
  const verdict = await deps.checkRegistry(session, now);
  // A reference the registry cannot resolve any more needs adopting, which is the proxy's job.
  if (isReference(session)) return { ok: false, reason: sessionRefusal(session, now, deps.policy, verdict) ?? 'superseded' };
  const before = decideBeforeRefresh(session, now, deps.policy, verdict);
  if (before === 'refresh') return session.tokens.expiresAt + RENDER_LEEWAY_SEC > now ? { ok: true, session } : { ok: false, reason: 'expired' };
  if (before.kind === 'valid') return { ok: true, session };
  return { ok: false, reason: before.kind === 'rejected' ? before.reason : 'signin' };
}

/**
 * The session a cookie holds if it is alive — seal, lifetimes, registry — whatever its
 * access token's state: for page chrome (whose name the header shows), never to admit a
 * request. An expired token is renewed by the next protected request.
 */
export async function liveSessionReadOnly(sealed: string | undefined, now: number, deps: Omit<ValidateDeps, 'renew'>): Promise<SessionPayload | undefined> {
  if (!sealed) return undefined;
  const unsealed = await deps.unseal(sealed);
  if (!unsealed) return undefined;
  const { session } = unsealed;
  const verdict = await deps.checkRegistry(session, now);
  // A reference of a replaced generation is still this live session: the next protected request adopts.
  if (isReference(session)) return sessionRefusal(session, now, deps.policy, verdict) ? undefined : session;
  const before = decideBeforeRefresh(session, now, deps.policy, verdict);
  return before === 'refresh' || before.kind === 'valid' ? session : undefined;
}
