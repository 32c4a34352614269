import 'server-only';
import { type NextRequest, NextResponse } from 'next/server';
import { env } from '../env';
import { isAuthError } from './errors';
import { unavailablePage } from './notice-page';
import { safeReturnTo } from './return-to';
import { getAccessToken } from './server-session';

/**
 * GET /auth/renew?returnTo=/path — renews the session now and goes back. For a page whose
 * API refused the access token (revoked, signing key rotated) while our clock still
 * trusts it: Server Components cannot write cookies, so the page comes here once. The
 * renewal is coordinated like any other; a token renewed moments ago is not renewed again.
 */
export async function handleRenew(request: NextRequest): Promise<NextResponse> {
  const returnTo = safeReturnTo(request.nextUrl.searchParams.get('returnTo'));
  const back = new URL(returnTo, env().appUrl);
  try {
    await getAccessToken({ forceRefresh: true });
  } catch (error) {
    if (isAuthError(error, 'unauthenticated')) {
      const signIn = new URL('/signin', env().appUrl);
      signIn.search = new URLSearchParams({ returnTo, reason: error.reason ?? 'signin' }).toString();
      return NextResponse.redirect(signIn, 303);
    }
    if (isAuthError(error, 'unavailable')) {
      return new NextResponse(unavailablePage(returnTo, 'idp'), { status: 503, headers: { 'Content-Type': 'text/html; charset=utf-8', 'Retry-After': '5' } });
    }
    throw error;
  }
  const response = NextResponse.redirect(back, 303);
  response.headers.set('Cache-Control', 'private, no-store');
  return response;
}
