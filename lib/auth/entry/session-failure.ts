import 'server-only';
import { isAuthError } from '../errors';

/**
 * What a failed session check — getAccessToken, requireActionSession, or the work an
 * action does after it — means for the person: sign in again (with the reason the sign-in
 * page explains), or try again because the IdP could not renew the session (`idp`) or our
 * own database did not answer (`service`). Only `signin` may end anything; the others keep
 * the cookie: an outage of ours never signs anyone out.
 */
export type SessionFailure = { readonly kind: 'signin'; readonly reason: string } | { readonly kind: 'try_again'; readonly cause: 'idp' | 'service' };

/**
 * Sorts a thrown error. Anything that is not one of lib/auth's answers — a Prisma error
 * from a locked or unreachable database, a bug — is `service`: a "try again" page or
 * message, never a 500.
 *
 * @example
 * const failure = sessionFailure(error);
 * if (failure.kind === 'signin') redirect(signInPath(failure.reason, '/notes'));
 */
export function sessionFailure(error: unknown): SessionFailure {
  if (isAuthError(error, 'unauthenticated')) return { kind: 'signin', reason: error.reason ?? 'signin' };
  if (isAuthError(error, 'unavailable')) return { kind: 'try_again', cause: 'idp' };
  return { kind: 'try_again', cause: 'service' };
}

/**
 * Where a `signin` failure sends the person back to `returnTo`: the sign-in page with its
 * reason — or, when the session's refresh token is lost but nothing says its grant is
 * over (`reauthenticate`), a silent re-authentication (prompt=none) that keeps the
 * session, as the proxy does for pages. Never the sign-in page for a live session.
 *
 * @example
 * if (failure.kind === 'signin') redirect(signInPath(failure.reason, '/notes'));
 */
export function signInPath(reason: string, returnTo: string): string {
  if (reason === 'reauthenticate') return `/auth/login?${new URLSearchParams({ returnTo, prompt: 'none' })}`;
  return `/signin?${new URLSearchParams({ returnTo, reason })}`;
}

/** Logs a `service` failure for the operator: its message only, which never holds a token. */
export function logServiceFailure(what: string, error: unknown): void {
  // Some driver errors carry no message: their name and code still say what failed.
  const code = (error as { code?: unknown } | undefined)?.code;
  const detail = error instanceof Error ? error.message || `${error.name}${typeof code === 'string' ? ` ${code}` : ''}` : String(error);
  console.error(`renewal: ${what} failed: ${detail}`);
}
