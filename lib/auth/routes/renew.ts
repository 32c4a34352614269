import 'server-only';
import { type NextRequest, NextResponse } from 'next/server';
import { env } from '../../env';
import { unavailablePage, unavailableResponse } from '../entry/notice-page';
import { getAccessToken } from '../entry/server-session';
import { logServiceFailure, sessionFailure, signInPath } from '../entry/session-failure';
import { safeReturnTo } from './return-to';

/**
 * GET /auth/renew?returnTo=/path — renews the session now and goes back. For a page whose
 * API refused the access token (revoked, signing key rotated) while our clock still
 * trusts it: Server Components cannot write cookies, so the page comes here once. The
 * renewal is coordinated like any other; a token renewed moments ago is not renewed again.
 */
export async function handleRenew(request: NextRequest): Promise<NextResponse> {
  const returnTo = safeReturnTo(request.nextUrl.searchParams.get('returnTo'));
  try {
    await getAccessToken({ forceRefresh: true });
  } catch (error) {
    return renewFailed(error, returnTo);
  }
  return privateResponse(NextResponse.redirect(new URL(returnTo, env().appUrl), 303));
}

/**
 * A refused session goes to sign in (a lost refresh token: silently, through the IdP); anything else — the IdP unreachable, our database not
 * answering — is a 503 "try again" page that keeps the cookie, as the proxy answers pages.
 */
function renewFailed(error: unknown, returnTo: string): NextResponse {
  const failure = sessionFailure(error);
  if (failure.kind === 'signin') return privateResponse(NextResponse.redirect(new URL(signInPath(failure.reason, returnTo), env().appUrl), 303));
  if (failure.cause === 'service') logServiceFailure('renewing a session (/auth/renew)', error);
  return privateResponse(unavailableResponse(unavailablePage(returnTo, failure.cause), failure.cause));
}

function privateResponse(response: NextResponse): NextResponse {
  response.headers.set('Cache-Control', 'private, no-store');
  return response;
}
