/**
 * routes/ — the /auth/* handlers: sign-in (login.ts, with the transaction cookie that
 * carries PKCE, state and nonce to callback.ts), sign-out (logout.ts, with the state
 * that confirms it on return), renew-and-return (renew.ts) and the IdP's back-channel
 * logout. The top layer: it uses entry/, account/ and everything below.
 */
import 'server-only';
import { type NextRequest, NextResponse } from 'next/server';
import { env } from '../../env';
import { type SignInTransaction, startSignIn } from '../idp/oidc';
import { safeReturnTo, signInPageReturnTo } from './return-to';
import { transactionCookieWrites } from './transaction-cookie';

/**
 * GET /auth/login?returnTo=/path — starts the authorization code flow at the IdP.
 * Without `returnTo`, the sign-in page's own (from the Referer: signInPageReturnTo).
 * `prompt=none` asks the IdP to answer without showing the person anything: the proxy
 * sends a session here when its refresh token is lost but its grant may not be.
 */
export async function handleLogin(request: NextRequest) {
  const config = env();
  const asked = request.nextUrl.searchParams.get('returnTo') ?? signInPageReturnTo(request.headers.get('referer'), config.appUrl.origin);
  const returnTo = safeReturnTo(asked);
  const silent = request.nextUrl.searchParams.get('prompt') === 'none';
  let started;
  try {
    started = await startSignIn(returnTo, { silent });
  } catch {
    const url = new URL('/signin', config.appUrl);
    url.searchParams.set('reason', 'idp_unavailable');
    url.searchParams.set('returnTo', returnTo);
    return NextResponse.redirect(url, 303);
  }
  return toIdp(started, request);
}

/** Sends the browser to the IdP for a sign-in `started`, with its transaction cookie. */
export async function toIdp(started: { url: URL; transaction: SignInTransaction }, request: NextRequest): Promise<NextResponse> {
  const config = env();
  const response = NextResponse.redirect(started.url, 303);
  for (const write of await transactionCookieWrites(started.transaction, request.cookies, config.session, config.secureCookies)) {
    response.cookies.set(write.name, write.value, write.options);
  }
  response.headers.set('Cache-Control', 'no-store');
  return response;
}
