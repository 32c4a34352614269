import { type NextRequest, NextResponse } from 'next/server';
import { absoluteExpiry } from '@/lib/auth/decision';
import { isAuthError } from '@/lib/auth/errors';
import { finishSignIn, type SignInTransaction } from '@/lib/auth/oidc';
import { hashRefreshToken } from '@/lib/auth/refresh';
import { sealTokens, sessionCookieWrites } from '@/lib/auth/session-cookie';
import { cookieSettings, nowSeconds, sealForCookie } from '@/lib/auth/session';
import { SESSION_PAYLOAD_VERSION, type SessionData } from '@/lib/auth/session-data';
import { readTransaction, transactionCookieClear } from '@/lib/auth/transaction-cookie';
import { env } from '@/lib/env';
import { audit, createSession, newSessionId, upsertUser } from '@/lib/sessions';

const SINGLE_VALUED = ['state', 'code', 'iss', 'error', 'session_state'];

function toSignIn(reason: string, returnTo?: string): NextResponse {
  const url = new URL('/signin', env().appUrl);
  url.searchParams.set('reason', reason);
  if (returnTo) url.searchParams.set('returnTo', returnTo);
  return NextResponse.redirect(url, 303);
}

function finish(response: NextResponse): NextResponse {
  // The callback URL carries a code and state: never leak it in a Referer.
  response.headers.set('Referrer-Policy', 'no-referrer');
  response.headers.set('Cache-Control', 'no-store');
  return response;
}

/** GET /auth/callback — the IdP's answer: validate it, open a session, go back where the person was. */
export async function GET(request: NextRequest) {
  const config = env();
  const params = request.nextUrl.searchParams;
  if (SINGLE_VALUED.some((name) => params.getAll(name).length > 1)) {
    return finish(new NextResponse('Bad request: a sign-in parameter was sent more than once.', { status: 400 }));
  }
  const state = params.get('state');
  if (!state) return finish(toSignIn('callback_failed'));

  const transaction = await readTransaction(state, request.cookies, config.session.secrets, config.secureCookies);
  if (!transaction) return finish(toSignIn('signin_expired'));

  let response: NextResponse;
  if (params.get('error')) {
    response = toSignIn(params.get('error') === 'access_denied' ? 'access_denied' : 'idp_error', transaction.returnTo);
  } else {
    response = await openSession(request, transaction);
  }
  // The transaction is single-use: a reload or replay of this URL finds nothing.
  const clear = transactionCookieClear(state, config.secureCookies);
  response.cookies.set(clear.name, clear.value, clear.options);
  return finish(response);
}

async function openSession(request: NextRequest, transaction: SignInTransaction): Promise<NextResponse> {
  const config = env();
  const now = nowSeconds();
  // Build the URL the IdP redirected to from APP_URL, not from the Host header.
  const currentUrl = new URL(`${request.nextUrl.pathname}${request.nextUrl.search}`, config.appUrl);
  let signedIn;
  try {
    signedIn = await finishSignIn(currentUrl, transaction, now);
  } catch (error) {
    const reason = isAuthError(error, 'idp_error') ? 'idp_error' : isAuthError(error, 'discovery_failed') ? 'idp_unavailable' : 'callback_failed';
    console.warn(`renewal: sign-in callback failed (${reason})`, isAuthError(error) ? error.message : '');
    return toSignIn(reason, transaction.returnTo);
  }

  const settings = cookieSettings();
  const userId = await upsertUser({ issuer: config.oidc.issuer.href, subject: signedIn.subject, name: signedIn.name, email: signedIn.email }, new Date(now * 1000));
  const session: SessionData = {
    v: SESSION_PAYLOAD_VERSION,
    sid: newSessionId(),
    userId,
    sub: signedIn.subject,
    name: signedIn.name,
    email: signedIn.email,
    createdAt: now,
    tokenVersion: 0,
    tokens: signedIn.tokens,
  };
  await createSession({
    id: session.sid,
    userId,
    createdAt: new Date(now * 1000),
    absoluteExpiresAt: new Date(absoluteExpiry(session, config.session) * 1000),
    idpSid: signedIn.idpSid,
    userAgent: request.headers.get('user-agent') ?? undefined,
    refreshTokenHash: signedIn.tokens.refreshToken ? hashRefreshToken(signedIn.tokens.refreshToken) : undefined,
    latestTokens: await sealTokens(signedIn.tokens, settings),
  });
  await audit({ type: 'sign_in', sessionId: session.sid, userId });

  const response = NextResponse.redirect(new URL(transaction.returnTo, config.appUrl), 303);
  const writes = sessionCookieWrites(await sealForCookie(session), request.cookies, settings, config.session.absoluteLifetimeSec);
  for (const write of writes) response.cookies.set(write.name, write.value, write.options);
  return response;
}
