import 'server-only';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { cookies } from 'next/headers';
import { env } from '../../env';
import { type CookieJar, type CookieWrite, readSessionCookie } from '../cookie/sealed-cookie';

/**
 * The `state` of RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2–3), kept
 * in a short-lived cookie so that the page the IdP returns the person to can tell this
 * browser's own sign-out from a link anyone could write, and only then say "you are
 * signed out". SameSite=Lax: the cookie must come back on the IdP's top-level redirect.
 * Server Components cannot delete it, so it simply expires; a session begun since makes
 * it moot (see isSignOutReturn).
 */
const SIGN_OUT_TTL_SEC = 10 * 60;

function cookieName(secure: boolean): string {
  // __Host- binds the cookie to this exact origin, as for the session cookie.
  return secure ? '__Host-renewal-signout' : 'renewal-signout';
}

/** A fresh, unguessable state for one sign-out. */
export function newSignOutState(): string {
  return randomBytes(16).toString('base64url');
}

/** The cookie remembering `state` until the IdP sends the person back. */
export function signOutStateCookie(state: string, secure: boolean): CookieWrite {
  return { name: cookieName(secure), value: state, options: { httpOnly: true, secure, sameSite: 'lax', path: '/', maxAge: SIGN_OUT_TTL_SEC } };
}

/**
 * Whether `returned` (the `state` the IdP sent back) is the one this browser's sign-out
 * sent, and the browser has not signed in since. A missing or different state is simply
 * not a sign-out return: the caller shows its ordinary page, never an error.
 */
export function isSignOutReturn(returned: string | undefined, jar: CookieJar, secure: boolean): boolean {
  const sent = jar.get(cookieName(secure))?.value;
  if (!returned || !sent || readSessionCookie(jar, secure)) return false;
  const [a, b] = [Buffer.from(returned), Buffer.from(sent)];
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * For the page RP-initiated logout returns to (`post_logout_redirect_uri`): true when
 * its `state` parameter proves the person arrives from signing out in this browser.
 *
 * @example
 * const signedOut = await confirmsSignOut(params.state);
 */
export async function confirmsSignOut(returnedState: string | undefined): Promise<boolean> {
  return isSignOutReturn(returnedState, await cookies(), env().secureCookies);
}
