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

  try {
    const rules = await idpTokenRules();
    const verdict = await verifyLogoutToken(tokens[0], rules);
    if (!verdict.ok) return invalid('invalid_token', verdict.description);
    const token = { jti: verdict.jti, sid: verdict.sid, sub: verdict.sub, rememberUntil: new Date(verdict.acceptableUntil * 1000) };
    // Users are keyed by the issuer as configured (lib/auth/routes/callback.ts), not as the token spells it.
    const ended = await acceptLogoutTokenOnce(env().oidc.issuer.href, token, new Date());
    if (!ended) return invalid('replayed', 'this logout token was already used');
    for (const session of ended) forgetSession(session.id);
    countBackchannelLogout('accepted', ended.length > 0 ? 'ended_sessions' : 'no_session');
    return answer(200);
  } catch (error) {
    // The IdP's keys or our database could not be reached: say so, so the IdP may retry.
    console.error('renewal: back-channel logout could not be processed:', error instanceof Error ? error.message : error);
    countBackchannelLogout('refused', 'unavailable');
    return answer(503, { error: 'temporarily_unavailable', error_description: 'the logout could not be processed now' });
  }
}
