import 'server-only';
import { cookies, headers } from 'next/headers';
import { type NextRequest, NextResponse } from 'next/server';
import { env } from '../../env';
import { countUnavailable, type UnavailableCause } from '../../telemetry/metrics';
import { AuthError } from '../errors';
import type { Decision } from '../refresh/decision';
import { auditDecision, cookieWritesFor } from '../refresh/decision-effects';
import { validateRequest } from '../refresh/runtime';
import type { ValidateOptions } from '../refresh/validate';
import type { SessionData } from '../session-payload';
import { isSameOrigin } from './same-origin';

/**
 * The session check of code that can write cookies — route handlers and server actions —
 * without the proxy: the same validateSession, the same refresh coordination, the
 * cookie written through next/headers. API routes are not behind the proxy at all, which
 * spares every API call its dispatch cost (docs/BENCHMARKS.md).
 */

type Admitted = Extract<Decision, { kind: 'valid' | 'renewed' }>;
type Refused = Exclude<Decision, Admitted>;

/** Validates this request's session and writes what the decision implies to its cookies. */
async function validateAndPersist(options?: ValidateOptions): Promise<Decision> {
  const jar = await cookies();
  const decision = await validateRequest(jar, options);
  await auditDecision(decision);
  for (const write of await cookieWritesFor(decision, jar)) jar.set(write.name, write.value, write.options);
  return decision;
}

const isAdmitted = (decision: Decision): decision is Admitted => decision.kind === 'valid' || decision.kind === 'renewed';

function refusalReason(decision: Refused): string {
  switch (decision.kind) {
    case 'anonymous':
      return 'signin';
    case 'rejected':
      return decision.reason;
    case 'reauthenticate':
      return 'reauthenticate';
    case 'unavailable':
      return 'idp_unavailable';
  }
}

function privateJson(body: unknown, status: number, extraHeaders: Record<string, string> = {}): NextResponse {
  return NextResponse.json(body, { status, headers: { 'Cache-Control': 'private, no-store', ...extraHeaders } });
}

/**
 * The JSON 503 "try again" of an API call, counted by cause (renewal.unavailable.responses):
 * `idp` when its session could not be renewed, `service` when our database did not answer.
 * Private: it is about this browser's session.
 */
export function unavailableJson(cause: UnavailableCause): NextResponse {
  countUnavailable(cause);
  return privateJson({ error: 'unavailable', reason: cause === 'idp' ? 'idp_unavailable' : 'service_unavailable' }, 503, { 'Retry-After': '5' });
}

/** The JSON answer for an API call whose session was refused: 401, or 503 when it is only unavailable. */
function refusedResponse(decision: Refused): NextResponse {
  if (decision.kind === 'unavailable') return unavailableJson('idp');
  return privateJson({ error: 'unauthorized', reason: refusalReason(decision) }, 401);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What a wrapped handler receives besides the request. */
export interface SessionContext {
  readonly session: SessionData;
}

/**
 * Wraps a route handler so it runs only for a valid session, renewed first when due.
 * Refusals answer JSON (401, 503 — never a redirect); state-changing methods from another
 * site are refused with 403 before the session is even read. The handler's response is
 * marked `private, no-store` unless it says otherwise.
 *
 * @example
 * export const GET = withSession(async (request, { session }) => NextResponse.json({ sub: session.sub }));
 */
export function withSession<Context>(handler: (request: NextRequest, auth: SessionContext, context: Context) => Response | Promise<Response>) {
  return async function sessionGuardedHandler(request: NextRequest, context: Context): Promise<Response> {
    if (!SAFE_METHODS.has(request.method) && !isSameOrigin(request.headers, env().appUrl.origin)) {
      return privateJson({ error: 'forbidden', reason: 'cross_site' }, 403);
    }
    let decision: Decision;
    try {
      // A state-changing call is the person's own doing; a GET may be the page polling.
      decision = await validateAndPersist({ activity: !SAFE_METHODS.has(request.method) });
    } catch (error) {
      console.error('renewal: session validation failed:', error instanceof Error ? error.message : error);
      return unavailableJson('service');
    }
    if (!isAdmitted(decision)) return refusedResponse(decision);
    const response = await handler(request, { session: decision.session }, context);
    if (!response.headers.has('Cache-Control')) {
      try {
        response.headers.set('Cache-Control', 'private, no-store');
      } catch {
        // Response.redirect() has immutable headers and no body worth caching.
      }
    }
    return response;
  };
}

/**
 * The current access token, for route handlers calling an API: validates
 * the session (renewing when due, or when `forceRefresh` because the API refused the
 * token) and writes the cookie. Throws AuthError `unauthenticated` (with `reason`) or
 * `unavailable`; never returns an expired token.
 *
 * @example
 * const token = await getAccessToken();
 * await fetch(api, { headers: { authorization: `Bearer ${token}` } });
 */
export async function getAccessToken(options?: ValidateOptions): Promise<string> {
  return (await admittedSession(options)).tokens.accessToken;
}

/**
 * This request's session, validated and renewed when due like getAccessToken's: for
 * calls to an API, which may need more of it than the token (its DPoP key).
 */
export async function getSession(options?: ValidateOptions): Promise<SessionData> {
  return admittedSession(options);
}

/**
 * The session of a server action, validated (and renewed when due) like getAccessToken's,
 * after checking the action was posted by our own pages: Next.js refuses a foreign
 * Origin itself, but lets a request without one through (with a warning).
 *
 * @example
 * const session = await requireActionSession();
 */
export async function requireActionSession(options?: ValidateOptions): Promise<SessionData> {
  if (!isSameOrigin(await headers(), env().appUrl.origin)) throw new AuthError('unauthenticated', 'a server action posted from another site', { reason: 'cross_site' });
  return admittedSession({ ...options, activity: true });
}

async function admittedSession(options?: ValidateOptions): Promise<SessionData> {
  const decision = await validateAndPersist(options);
  if (isAdmitted(decision)) return decision.session;
  if (decision.kind === 'unavailable') throw new AuthError('unavailable', 'the session cannot be renewed right now');
  throw new AuthError('unauthenticated', 'no usable session', { reason: refusalReason(decision) });
}
