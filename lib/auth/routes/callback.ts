import 'server-only';
import { type NextRequest, NextResponse } from 'next/server';
import { env } from '../../env';
import { endSession } from '../account/end-session';
import { COOKIE_BUDGET, readSessionCookie, sealTokens } from '../cookie/sealed-cookie';
import { noticePage, unavailablePage, unavailableResponse } from '../entry/notice-page';
import { isAuthError } from '../errors';
import { newDpopKey } from '../idp/dpop';
import { finishSignIn, type SignedIn, type SignInTransaction } from '../idp/oidc';
import { hashRefreshToken } from '../refresh/coordination';
import { cookieFits, cookieSettings, nowSeconds, readSession } from '../refresh/runtime';
import { audit, createSession, newSessionId, REPLACED_REASON, upsertUser } from '../registry/registry';
import { absoluteExpiry, type DpopKey, SESSION_PAYLOAD_VERSION, type SessionData } from '../session-payload';
import { continueSession, redirectWithSession, signedInFields } from './continue-session';
import { finishStepUp, type SensitiveActionFinisher, withStatus } from './step-up';
import { readTransaction, transactionCookieClear } from './transaction-cookie';

const SINGLE_VALUED = ['state', 'code', 'iss', 'error', 'session_state'];
/** The IdP's answers to prompt=none when it needs the person (OIDC Core 3.1.2.6). */
const NEEDS_THE_PERSON = new Set(['login_required', 'interaction_required', 'consent_required', 'account_selection_required']);

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

/**
 * GET /auth/callback — the IdP's answer: validate it, open a session, go back where the
 * person was. A step-up's answer continues the session and finishes the kept action with
 * `finishAction` (lib/auth/routes/step-up.ts).
 */
export async function handleCallback(request: NextRequest, finishAction: SensitiveActionFinisher = refuseKeptActions) {
  const config = env();
  const params = request.nextUrl.searchParams;
  if (SINGLE_VALUED.some((name) => params.getAll(name).length > 1)) {
    return finish(new NextResponse('Bad request: a sign-in parameter was sent more than once.', { status: 400 }));
  }
  const state = params.get('state');
  if (!state) return finish(toSignIn('callback_failed'));

  const transaction = await readTransaction(state, request.cookies, config.session, config.secureCookies);
  if (!transaction) return finish(toSignIn('signin_expired'));

  let response: NextResponse;
  const error = params.get('error');
  if (error && transaction.stepUp) {
    // Cancelled or refused at the IdP: the session it was to confirm goes on as it was.
    response = NextResponse.redirect(new URL(withStatus(transaction.returnTo, 'step_up_cancelled'), config.appUrl), 303);
  } else if (error) {
    const reason = error === 'access_denied' ? 'access_denied' : transaction.silent && NEEDS_THE_PERSON.has(error) ? 'reauth_required' : 'idp_error';
    if (reason === 'idp_error') console.warn(`renewal: the IdP refused the sign-in request: ${authorizationErrorAdvice(error)}`);
    response = toSignIn(reason, transaction.returnTo);
  } else {
    response = await openSession(request, transaction, finishAction);
  }
  // The transaction is single-use: a reload or replay of this URL finds nothing.
  const clear = transactionCookieClear(state, config.secureCookies);
  response.cookies.set(clear.name, clear.value, clear.options);
  return finish(response);
}

/** The IdP's error code (sanitised: it comes from the URL) and, where one is known, what to change. */
function authorizationErrorAdvice(error: string): string {
  const code = error.replace(/[^\w.-]/g, '').slice(0, 64);
  switch (code) {
    case 'invalid_scope':
      return 'invalid_scope: check OIDC_SCOPE (Google refuses offline_access: leave it out and set OIDC_AUTH_PARAMS=access_type=offline&prompt=consent)';
    case 'invalid_request':
    case 'invalid_target':
      return `${code}: check OIDC_AUTH_PARAMS and the redirect URI registered at the IdP (APP_URL + /auth/callback)`;
    case 'unauthorized_client':
      return `${code}: the client is not allowed the authorization code grant; check its registration at the IdP`;
    default:
      return code || 'an unnamed error';
  }
}

function callbackFailureReason(error: unknown): string {
  if (!isAuthError(error)) return 'callback_failed';
  switch (error.code) {
    case 'idp_error':
    case 'client_refused':
      return error.code;
    case 'discovery_failed':
    case 'idp_unavailable':
      return 'idp_unavailable';
    default:
      return 'callback_failed';
  }
}

/** The finisher of an app that offers no sensitive actions: a step-up finishes nothing. */
async function refuseKeptActions(_action: unknown, _session: SessionData): Promise<string> {
  console.error('renewal: a step-up came back, but this route was given no finisher for kept actions (handleCallback\'s finishAction)');
  return '/';
}

async function openSession(request: NextRequest, transaction: SignInTransaction, finishAction: SensitiveActionFinisher): Promise<NextResponse> {
  const config = env();
  const now = nowSeconds();
  // Build the URL the IdP redirected to from APP_URL, not from the Host header.
  const currentUrl = new URL(`${request.nextUrl.pathname}${request.nextUrl.search}`, config.appUrl);
  let signedIn;
  try {
    signedIn = await finishSignIn(currentUrl, transaction, now, await dpopKeyFor(request, transaction));
  } catch (error) {
    const reason = callbackFailureReason(error);
    // oidc.ts has already said, in one line, what to change for a refused client.
    if (reason !== 'client_refused') console.warn(`renewal: sign-in callback failed (${reason})`, isAuthError(error) ? error.message : '');
    // A silent re-authentication renews a live session: while the IdP is down, say
    // "try again" and keep the session, rather than send its owner to sign in.
    if ((transaction.silent || transaction.stepUp) && reason === 'idp_unavailable') {
      return unavailableResponse(unavailablePage(transaction.returnTo, 'idp'), 'idp');
    }
    // A step-up that failed confirms nothing, and ends nothing either.
    if (transaction.stepUp) return NextResponse.redirect(new URL(withStatus(transaction.returnTo, 'step_up_failed'), config.appUrl), 303);
    return toSignIn(reason, transaction.returnTo);
  }

  // Tokens of any size are kept (reference mode: the cookie then points at the registry's
  // copy). Only profile claims too large for a cookie even without the tokens are refused,
  // before anything is recorded (the user id is as long as any).
  if (!(await cookieFits(newSession(signedIn, newSessionId(), now)))) {
    console.error(
      `renewal: the IdP's profile claims (name, email, subject) make a session cookie over the ${COOKIE_BUDGET}-byte budget even without its tokens (Node accepts 16 KB of request headers), so the sign-in was refused. ` +
        'Make the IdP send shorter name, email and subject claims.',
    );
    return toSignIn('tokens_too_large', transaction.returnTo);
  }

  try {
    if (transaction.stepUp) return await finishStepUp(request, { ...transaction, stepUp: transaction.stepUp }, signedIn, now, finishAction);
    return await redirectWithSession(transaction.returnTo, await recordSignIn(request, transaction, signedIn, now), request, now);
  } catch (error) {
    // The IdP signed the person in, but we could not record it: say so, keep whatever
    // cookie the browser has, and let them try again.
    console.error('renewal: could not record a sign-in:', error instanceof Error ? error.message : error);
    const retry = `/auth/login?returnTo=${encodeURIComponent(transaction.returnTo)}`;
    const page = noticePage({
      title: 'Sign-in could not be completed',
      message: 'Your identity provider signed you in, but Renewal could not record your session because its database did not answer. Nothing was changed. Please try again in a moment.',
      href: retry,
      action: 'Try again',
    });
    return unavailableResponse(page, 'service');
  }
}

/**
 * The DPoP key the sign-in's tokens are to be bound to (OIDC_DPOP=on): a continued
 * session's own — silent re-authentication, step-up — so its other requests' tokens stay
 * good, else a new one.
 */
async function dpopKeyFor(request: NextRequest, transaction: SignInTransaction): Promise<DpopKey | undefined> {
  const config = env();
  if (!config.oidc.dpop) return undefined;
  if (transaction.silent || transaction.stepUp) {
    const previous = await readSession(readSessionCookie(request.cookies, config.secureCookies));
    if (previous?.dpopKey) return previous.dpopKey;
  }
  return newDpopKey();
}

/** A new session for `signedIn`, with a fresh session id (no fixation). */
function newSession(signedIn: SignedIn, userId: string, now: number): SessionData {
  return {
    v: SESSION_PAYLOAD_VERSION,
    sid: newSessionId(),
    userId,
    sub: signedIn.subject,
    ...signedInFields(signedIn, now),
    createdAt: now,
    tokenVersion: 0,
  };
}

/**
 * The session this sign-in gives the browser. A silent re-authentication of the
 * browser's live session (same person) continues it as its next token generation, so
 * requests still carrying the old cookie adopt the new tokens. Any other sign-in mints a
 * fresh session id (no fixation) and ends the session the browser held before.
 */
async function recordSignIn(request: NextRequest, transaction: SignInTransaction, signedIn: SignedIn, now: number): Promise<SessionData> {
  const config = env();
  const settings = cookieSettings();
  const previous = await readSession(readSessionCookie(request.cookies, config.secureCookies));

  if (transaction.silent && previous && previous.sub === signedIn.subject) {
    const continued = await continueSession(previous, signedIn, now);
    if (continued) {
      await audit({ type: 'reauthenticated', sessionId: previous.sid, userId: previous.userId });
      return continued;
    }
  }

  const userId = await upsertUser({ issuer: config.oidc.issuer.href, subject: signedIn.subject, name: signedIn.name, email: signedIn.email }, new Date(now * 1000));
  const session = newSession(signedIn, userId, now);
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
  if (previous) await endSession(previous, REPLACED_REASON, 'replaced');
  return session;
}
