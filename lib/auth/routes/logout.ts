import 'server-only';
import { type NextRequest, NextResponse } from 'next/server';
import { env } from '../../env';
import { endSession } from '../account/end-session';
import { readSessionCookie, sessionCookieClears } from '../cookie/sealed-cookie';
import { noticePage, unavailableResponse } from '../entry/notice-page';
import { isSameOrigin } from '../entry/same-origin';
import { endSessionUrl, revokeRefreshToken } from '../idp/oidc';
import { cookieSettings, readSession } from '../refresh/runtime';
import { newSignOutState, signOutStateCookie } from './sign-out-state';

/**
 * POST /auth/logout — same-origin only. Ends the session (registry, refresh token at the
 * IdP — a failure there does not block sign-out —, audit), clears the cookie, then hands
 * over to the IdP's RP-initiated logout where it offers one. Its `state` is kept in a
 * cookie, so the home page it returns to says "signed out" only to this browser.
 */
export async function handleLogout(request: NextRequest) {
  const config = env();
  if (!isSameOrigin(request.headers, config.appUrl.origin)) {
    return new NextResponse('Forbidden: sign-out must come from this site.', { status: 403 });
  }
  let session: Awaited<ReturnType<typeof readSession>>;
  let idTokenHint: string | undefined;
  try {
    // A reference cookie (reference mode) reads the registry here already.
    session = await readSession(readSessionCookie(request.cookies, config.secureCookies));
    if (session) {
      const latest = await endSession(session, 'signed_out', 'sign_out');
      idTokenHint = latest.idToken;
      // RFC 7009, where offered; a failure there does not keep anyone signed in.
      if (latest.refreshToken) await revokeRefreshToken(latest.refreshToken);
    }
  } catch (error) {
    // Clearing only this cookie would look like a sign-out while the session lives on
    // (another tab, a copied cookie): say what happened and keep it.
    console.error('renewal: sign-out could not be recorded:', error instanceof Error ? error.message : error);
    const page = noticePage({
      title: 'Sign-out did not complete',
      message: 'Renewal could not record your sign-out because its database did not answer, so you are still signed in. Please try again in a moment.',
      href: '/dashboard',
      action: 'Back to the dashboard',
    });
    return unavailableResponse(page, 'service', { 'Cache-Control': 'no-store' });
  }

  const state = newSignOutState();
  const idpLogout = session ? await endSessionUrl(idTokenHint, state) : undefined;
  const response = NextResponse.redirect(idpLogout ?? new URL('/signin?reason=signed_out', config.appUrl), 303);
  const writes = sessionCookieClears(request.cookies, cookieSettings());
  if (idpLogout) writes.push(signOutStateCookie(state, config.secureCookies));
  for (const write of writes) response.cookies.set(write.name, write.value, write.options);
  response.headers.set('Cache-Control', 'no-store');
  response.headers.set('Clear-Site-Data', '"cache"');
  return response;
}
