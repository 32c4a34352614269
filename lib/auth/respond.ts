import 'server-only';
import { type NextRequest, NextResponse } from 'next/server';
import { env } from '../env';
import { audit } from './registry';
import { absoluteExpiry, clearsCookie, type Decision, type RejectReason } from './decision';
import { type CookieWrite, sessionCookieClears, sessionCookieWrites } from './sealed-cookie';
import { cookieSettings, nowSeconds, sealForCookie } from './runtime';
import type { SessionData } from './session-payload';
import { unavailablePage } from './notice-page';

/**
 * Turns validateSession's decision into the proxy's response (DESIGN.md, "the request
 * path"). Pages are redirected to sign-in; API calls get JSON status codes, never a
 * redirect.
 */
export async function respond(request: NextRequest, decision: Decision): Promise<NextResponse> {
  switch (decision.kind) {
    case 'valid':
      return decision.rewrite ? continueWithSession(request, decision.session) : privateResponse(NextResponse.next());
    case 'renewed':
      return continueWithSession(request, decision.session);
    case 'anonymous':
      return reject(request, 'signin');
    case 'rejected':
      if (decision.session) await auditRejection(decision.session, decision.reason);
      return reject(request, decision.reason);
    case 'unavailable':
      return unavailable(request, 'idp');
    case 'reauthenticate':
      return reauthenticate(request);
  }
}

// A rejected cookie is cleared, but a script (or an attacker replaying it) may send it
// again: record each session's rejection once per process, not once per request.
const recentlyAudited = new Set<string>();
const MAX_AUDITED = 10_000;

async function auditRejection(session: SessionData, reason: RejectReason): Promise<void> {
  const key = `${session.sid}:${reason}`;
  if (recentlyAudited.has(key)) return;
  if (recentlyAudited.size >= MAX_AUDITED) recentlyAudited.clear();
  recentlyAudited.add(key);
  await audit({ type: 'rejected', sessionId: session.sid, userId: session.userId, reason });
}

function isApi(request: NextRequest): boolean {
  return request.nextUrl.pathname.startsWith('/api/');
}

function privateResponse(response: NextResponse): NextResponse {
  // Authenticated content must never be stored: Back after sign-out shows nothing.
  response.headers.set('Cache-Control', 'private, no-store');
  return response;
}

function applyCookies(response: NextResponse, writes: readonly CookieWrite[]): void {
  for (const write of writes) response.cookies.set(write.name, write.value, write.options);
}

/**
 * Lets the request through with a freshly sealed session: Set-Cookie for the browser,
 * and the request's own Cookie header rewritten so the Server Components rendering this
 * same request read the new tokens.
 */
async function continueWithSession(request: NextRequest, session: SessionData): Promise<NextResponse> {
  const settings = cookieSettings();
  const maxAge = absoluteExpiry(session, env().session) - nowSeconds();
  const writes = sessionCookieWrites(await sealForCookie(session), request.cookies, settings, maxAge);

  const jar = new Map(request.cookies.getAll().map(({ name, value }) => [name, value]));
  for (const write of writes) {
    if (write.value) jar.set(write.name, write.value);
    else jar.delete(write.name);
  }
  const headers = new Headers(request.headers);
  headers.set('cookie', [...jar].map(([name, value]) => `${name}=${value}`).join('; '));

  const response = privateResponse(NextResponse.next({ request: { headers } }));
  applyCookies(response, writes);
  return response;
}

function reject(request: NextRequest, reason: RejectReason): NextResponse {
  let response: NextResponse;
  if (isApi(request)) {
    response = NextResponse.json({ error: 'unauthorized', reason }, { status: 401 });
  } else {
    const url = new URL('/signin', env().appUrl);
    url.searchParams.set('returnTo', `${request.nextUrl.pathname}${request.nextUrl.search}`);
    url.searchParams.set('reason', reason);
    response = NextResponse.redirect(url, 303);
  }
  if (clearsCookie(reason)) applyCookies(response, sessionCookieClears(request.cookies, cookieSettings()));
  return privateResponse(response);
}

/**
 * The session's refresh token is lost but nothing says its grant is over: a page goes
 * through the IdP with prompt=none (no form if the IdP still knows the person) and comes
 * back to the same place; an API call is told to let the page do that. The cookie is kept.
 */
function reauthenticate(request: NextRequest): NextResponse {
  const returnTo = `${request.nextUrl.pathname}${request.nextUrl.search}`;
  if (isApi(request)) return privateResponse(NextResponse.json({ error: 'unauthorized', reason: 'reauthenticate' }, { status: 401 }));
  const url = new URL('/auth/login', env().appUrl);
  url.searchParams.set('returnTo', returnTo);
  url.searchParams.set('prompt', 'none');
  return privateResponse(NextResponse.redirect(url, 303));
}

/**
 * For a session that cannot be judged right now (the database failed us): keep the
 * cookie, say "try again". Never a 500, and never a sign-out for our own outage.
 */
export function respondUnavailable(request: NextRequest, error: unknown): NextResponse {
  console.error('renewal: session validation failed:', error instanceof Error ? error.message : error);
  return unavailable(request, 'service');
}

/**
 * The session cannot be judged or renewed right now — the IdP cannot be reached and the
 * access token has expired, or our own database failed: keep the cookie, ask to retry.
 */
function unavailable(request: NextRequest, cause: 'idp' | 'service'): NextResponse {
  const response = isApi(request)
    ? NextResponse.json({ error: 'unavailable', reason: `${cause}_unavailable` }, { status: 503 })
    : new NextResponse(unavailablePage(`${request.nextUrl.pathname}${request.nextUrl.search}`, cause), {
        status: 503,
        headers: { 'Content-Type': 'text/html; charset=utf-8' },
      });
  response.headers.set('Retry-After', '5');
  return privateResponse(response);
}
