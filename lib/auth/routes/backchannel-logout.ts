import 'server-only';
import { type NextRequest, NextResponse } from 'next/server';
import { env } from '../../env';
import { countBackchannelLogout } from '../../telemetry/metrics';
import { verifyLogoutToken } from '../idp/logout-token';
import { idpTokenRules } from '../idp/oidc';
import { forgetSession } from '../refresh/runtime';
import { acceptLogoutTokenOnce } from '../registry/registry';

const MAX_BODY_BYTES = 16 * 1024;

function answer(status: number, body?: { error: string; error_description: string }): NextResponse {
  const response = body ? NextResponse.json(body, { status }) : new NextResponse(null, { status });
  // Back-Channel Logout 1.0 §2.8: the answer must not be cached.
  response.headers.set('Cache-Control', 'no-store');
  return response;
}

/**
 * The body as text, or undefined once it passes `maxBytes`: a declared Content-Length over
 * the bound is refused unread, and a body without one is read no further than the bound.
 */
async function readBoundedText(request: Request, maxBytes: number): Promise<string | undefined> {
  if (Number(request.headers.get('content-length') ?? 0) > maxBytes) return undefined;
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    length += chunk.value.byteLength;
    if (length > maxBytes) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(chunk.value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Refuses a logout token. `reason`: a short, fixed code for the metrics
 * (renewal.backchannel_logout.requests); `description` tells the IdP and the log what was wrong.
 */
function invalid(reason: string, description: string): NextResponse {
  // One line for the operator: a misconfigured IdP (wrong audience, keys) shows up here.
  console.warn(`renewal: back-channel logout refused: ${description}`);
  countBackchannelLogout('refused', reason);
  return answer(400, { error: 'invalid_request', error_description: description });
}

/**
 * POST /auth/backchannel-logout — OIDC Back-Channel Logout 1.0: the IdP tells us a person
 * signed out there (or an administrator ended their sessions). A valid logout token ends
 * the sessions it names, on every instance within a second; their next
 * request is sent to sign in with a reason that says so. Anything invalid changes nothing.
 */
export async function handleBackchannelLogout(request: NextRequest): Promise<NextResponse> {
  if (!request.headers.get('content-type')?.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    return invalid('content_type', 'expected an application/x-www-form-urlencoded body');
  }
  const text = await readBoundedText(request, MAX_BODY_BYTES);
  if (text === undefined) return invalid('too_large', 'the request body is too large');
  const tokens = new URLSearchParams(text).getAll('logout_token');
  if (tokens.length !== 1 || !tokens[0]) return invalid('no_token', 'exactly one logout_token is required');

  let token: LogoutTokenToApply;
  try {
    const verdict = await verifyLogoutToken(tokens[0], await idpTokenRules());
    if (!verdict.ok) return invalid('invalid_token', verdict.description);
    token = { jti: verdict.jti, sid: verdict.sid, sub: verdict.sub, rememberUntil: new Date(verdict.acceptableUntil * 1000) };
  } catch (error) {
    // The IdP's keys could not be read, so the token could not be checked: say so, so the IdP may retry.
    return unavailable(error);
  }
  try {
    const ended = await applyLogoutToken(token);
    if (!ended) return invalid('replayed', 'this logout token was already used');
    countBackchannelLogout('accepted', ended.length > 0 ? 'ended_sessions' : 'no_session');
    return answer(200);
  } catch (error) {
    // A verified token our database could not take: most IdPs never send it again.
    retryUntilApplied(() => applyLogoutToken(token), token.rememberUntil.getTime());
    return unavailable(error);
  }
}

type LogoutTokenToApply = Parameters<typeof acceptLogoutTokenOnce>[1];

/** Ends the sessions `token` names, here at once and everywhere within a second; undefined when its jti was used before. */
async function applyLogoutToken(token: LogoutTokenToApply) {
  // Users are keyed by the issuer as configured (lib/auth/routes/callback.ts), not as the token spells it.
  const ended = await acceptLogoutTokenOnce(env().oidc.issuer.href, token, new Date());
  for (const session of ended ?? []) forgetSession(session.id);
  return ended;
}

function unavailable(error: unknown): NextResponse {
  console.error('renewal: back-channel logout could not be processed:', error instanceof Error ? error.message : error);
  countBackchannelLogout('refused', 'unavailable');
  return answer(503, { error: 'temporarily_unavailable', error_description: 'the logout could not be processed now' });
}

/** How often this process tries a verified logout token again while its database is away. */
const RETRY_EVERY_MS = 1000;

/**
 * Keeps trying `apply` — a verified logout token our database could not take (a restart,
 * a failover) — every RETRY_EVERY_MS until it succeeds or `untilMs`, when the token would
 * no longer pass anyway. The IdP was told 503, but most IdPs never send a logout token
 * again, and the person who signed out there would stay signed in here (the soak found
 * one, seed 721013340). The jti is not consumed by a failed attempt, so the first one that
 * reaches the database ends the sessions; an IdP that does retry then meets a replay,
 * harmlessly. A process that dies meanwhile loses it, as it would have before.
 */
export function retryUntilApplied(apply: () => Promise<unknown>, untilMs: number, everyMs = RETRY_EVERY_MS): Promise<boolean> {
  return new Promise((resolve) => {
    const attempt = () => {
      if (Date.now() >= untilMs) {
        console.error('renewal: a verified back-channel logout never reached the database before its token expired; the sessions it named end at their next renewal the IdP refuses');
        return resolve(false);
      }
      apply().then(
        () => {
          console.info('renewal: a back-channel logout refused earlier for a database error is now applied');
          resolve(true);
        },
        () => setTimeout(attempt, everyMs).unref(),
      );
    };
    setTimeout(attempt, everyMs).unref();
  });
}
