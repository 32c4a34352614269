/**
 * entry/ — where a request meets the session: the proxy for pages (here), route
 * handlers and server actions (server-session.ts), Server Components (page-session.ts),
 * and the answers they give a refused request (notice pages, reasons in words, action
 * failures). Uses refresh/ and the layers below it.
 */
import 'server-only';
import { type NextRequest, NextResponse } from 'next/server';
import { env } from '../../env';
import type { CookieWrite } from '../cookie/sealed-cookie';
import type { Decision, RejectReason } from '../refresh/decision';
import { auditDecision, cookieWritesFor } from '../refresh/decision-effects';
import { validateRequest } from '../refresh/runtime';
import { unavailablePage, unavailableResponse } from './notice-page';

/**
 * The proxy (proxy.ts) for protected pages: the one place that can renew a session before
 * Server Components render. API routes are not behind it: they validate in their
 * handlers (lib/auth/entry/server-session.ts).
 */
export async function authProxy(request: NextRequest): Promise<NextResponse> {
  if (!env().proxyEnabled) return NextResponse.next();
  try {
    return await respond(request, await validateRequest(request.cookies, { activity: isPersonActivity(request) }));
  } catch (error) {
    // A server action reads a "try again" only in its own terms (a 503 page would be a
    // client-side exception): it checks the session itself and meets the same failure.
    if (request.headers.has('next-action')) return privateResponse(NextResponse.next());
    return respondUnavailable(request, error);
  }
}

/**
 * A navigation (a link followed, a page reloaded) or a form post / server action: the
 * person is there. A page refreshing itself, prefetches and other fetches are not.
 */
function isPersonActivity(request: NextRequest): boolean {
  return request.headers.get('sec-fetch-mode') === 'navigate' || (request.method !== 'GET' && request.method !== 'HEAD');
}

/** Turns validateSession's decision into the response for a page (DESIGN.md, "the request path"). */
async function respond(request: NextRequest, decision: Decision): Promise<NextResponse> {
  await auditDecision(decision);
  const writes = await cookieWritesFor(decision, request.cookies);
  // A server action posts to the page and expects an action result, not a redirect: it
  // validates the session itself (requireActionSession) and answers a refusal in its own terms.
  if (request.headers.has('next-action') && decision.kind !== 'valid' && decision.kind !== 'renewed') return privateResponse(NextResponse.next());
  switch (decision.kind) {
    case 'valid':
    case 'renewed':
      return writes.length ? continueWithCookies(request, writes) : privateResponse(NextResponse.next());
    case 'anonymous':
      return withCookies(toSignIn(request, 'signin'), writes);
    case 'rejected':
      return withCookies(toSignIn(request, decision.reason), writes);
    case 'unavailable':
      return unavailable(request, 'idp');
    case 'reauthenticate':
      return reauthenticate(request);
  }
}

function returnPath(request: NextRequest): string {
  return `${request.nextUrl.pathname}${request.nextUrl.search}`;
}

function privateResponse(response: NextResponse): NextResponse {
  // Authenticated content must never be stored: Back after sign-out shows nothing.
  response.headers.set('Cache-Control', 'private, no-store');
  return response;
}

function withCookies(response: NextResponse, writes: readonly CookieWrite[]): NextResponse {
  for (const write of writes) response.cookies.set(write.name, write.value, write.options);
  return privateResponse(response);
}

/**
 * Lets the request through with a freshly sealed session: Set-Cookie for the browser,
 * and the request's own Cookie header rewritten so the Server Components rendering this
 * same request read the new tokens.
 */
function continueWithCookies(request: NextRequest, writes: readonly CookieWrite[]): NextResponse {
  const jar = new Map(request.cookies.getAll().map(({ name, value }) => [name, value]));
  for (const write of writes) {
    if (write.value) jar.set(write.name, write.value);
    else jar.delete(write.name);
  }
  const headers = new Headers(request.headers);
  headers.set('cookie', [...jar].map(([name, value]) => `${name}=${value}`).join('; '));
  return withCookies(NextResponse.next({ request: { headers } }), writes);
}

function toSignIn(request: NextRequest, reason: RejectReason): NextResponse {
  const url = new URL('/signin', env().appUrl);
  url.searchParams.set('returnTo', returnPath(request));
  url.searchParams.set('reason', reason);
  return NextResponse.redirect(url, 303);
}

/**
 * The session's refresh token is lost but nothing says its grant is over: the page goes
 * through the IdP with prompt=none (no form if the IdP still knows the person) and comes
 * back to the same place. The cookie is kept.
 */
function reauthenticate(request: NextRequest): NextResponse {
  const url = new URL('/auth/login', env().appUrl);
  url.searchParams.set('returnTo', returnPath(request));
  url.searchParams.set('prompt', 'none');
  return privateResponse(NextResponse.redirect(url, 303));
}

/**
 * For a session that cannot be judged right now (the database failed us): keep the
 * cookie, say "try again". Never a 500, and never a sign-out for our own outage.
 */
function respondUnavailable(request: NextRequest, error: unknown): NextResponse {
  console.error('renewal: session validation failed:', error instanceof Error ? error.message : error);
  return unavailable(request, 'service');
}

/**
 * The session cannot be judged or renewed right now — the IdP cannot be reached and the
 * access token has expired, or our own database failed: keep the cookie, ask to retry.
 */
function unavailable(request: NextRequest, cause: 'idp' | 'service'): NextResponse {
  return privateResponse(unavailableResponse(unavailablePage(returnPath(request), cause), cause));
}
