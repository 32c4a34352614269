import { randomBytes } from 'node:crypto';
import { type NextRequest, NextResponse } from 'next/server';
import { endSessionUrl, revokeRefreshToken } from '@/lib/auth/oidc';
import { isSameOrigin } from '@/lib/auth/same-origin';
import { readSessionCookie, sessionCookieClears, unsealSession, unsealTokens } from '@/lib/auth/session-cookie';
import { cookieSettings, forgetSession } from '@/lib/auth/session';
import { db } from '@/lib/db';
import { env } from '@/lib/env';
import { audit, revokeSession } from '@/lib/sessions';

/**
 * POST /auth/logout — same-origin only. Revokes the refresh token at the IdP (a failure
 * does not block sign-out), revokes the session in the registry, clears the cookie, then
 * hands over to the IdP's RP-initiated logout where it offers one.
 */
export async function POST(request: NextRequest) {
  const config = env();
  if (!isSameOrigin(request.headers, config.appUrl.origin)) {
    return new NextResponse('Forbidden: sign-out must come from this site.', { status: 403 });
  }
  const settings = cookieSettings();
  const sealed = readSessionCookie(request.cookies, config.secureCookies);
  const session = sealed ? (await unsealSession(sealed, settings))?.session : undefined;

  let idTokenHint: string | undefined;
  if (session) {
    // The registry may hold a newer token set than this cookie: revoke the live token.
    const row = await db().session.findUnique({ where: { id: session.sid }, select: { latestTokens: true } });
    const latest = row?.latestTokens ? await unsealTokens(row.latestTokens, settings) : undefined;
    const tokens = latest ?? session.tokens;
    idTokenHint = tokens.idToken ?? session.tokens.idToken;
    if (tokens.refreshToken) await revokeRefreshToken(tokens.refreshToken);
    await revokeSession(session.sid, 'signed_out', new Date());
    forgetSession(session.sid);
    await audit({ type: 'sign_out', sessionId: session.sid, userId: session.userId });
  }

  const endSession = session ? await endSessionUrl(idTokenHint, randomBytes(16).toString('base64url')) : undefined;
  const response = NextResponse.redirect(endSession ?? new URL('/signin?reason=signed_out', config.appUrl), 303);
  for (const write of sessionCookieClears(request.cookies, settings)) response.cookies.set(write.name, write.value, write.options);
  response.headers.set('Cache-Control', 'no-store');
  response.headers.set('Clear-Site-Data', '"cache"');
  return response;
}
