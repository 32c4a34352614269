import 'server-only';
import { decodeProtectedHeader, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';

/**
 * Checks an OIDC Back-Channel Logout 1.0 logout token (§2.4, §2.6): a JWT from our IdP,
 * signed with one of its keys under an allowed algorithm (never `none`), for our client,
 * fresh, carrying the back-channel-logout event, naming a `sid` and/or a `sub`, with a
 * `jti`, and no `nonce` (so an ID token can never pass for one).
 */
export interface LogoutTokenRules {
  readonly issuer: string;
  readonly clientId: string;
  readonly keys: JWTVerifyGetKey;
  /** Signing algorithms the IdP advertises; `none` is never accepted. */
  readonly algorithms: readonly string[];
  /** Epoch seconds; injected for tests. */
  readonly now?: number;
}

export type LogoutTokenVerdict =
  | { readonly ok: true; readonly jti: string; readonly sid?: string; readonly sub?: string; readonly expiresAt: number }
  | { readonly ok: false; readonly description: string };

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** A logout token older than this is refused: it is delivered at once or not at all. */
const MAX_AGE_SEC = 300;
const CLOCK_TOLERANCE_SEC = 30;

const refuse = (description: string): LogoutTokenVerdict => ({ ok: false, description });

export async function verifyLogoutToken(token: string, rules: LogoutTokenRules): Promise<LogoutTokenVerdict> {
  let typ: string | undefined;
  try {
    typ = decodeProtectedHeader(token).typ;
  } catch {
    return refuse('the logout token is not a JWT');
  }
  // §2.4: `typ` is recommended; where sent it must say what this is.
  if (typ !== undefined && !/^(application\/)?logout\+jwt$/i.test(typ)) return refuse(`unexpected typ "${typ}"`);

  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, rules.keys, {
      issuer: rules.issuer,
      audience: rules.clientId,
      algorithms: rules.algorithms.filter((alg) => alg !== 'none'),
      requiredClaims: ['iat', 'jti'],
      maxTokenAge: MAX_AGE_SEC,
      clockTolerance: CLOCK_TOLERANCE_SEC,
      ...(rules.now === undefined ? {} : { currentDate: new Date(rules.now * 1000) }),
    }));
  } catch (error) {
    if (error instanceof errors.JOSEAlgNotAllowed) return refuse('the logout token uses an algorithm that is not allowed');
    if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) return refuse('the logout token signature does not verify');
    if (error instanceof errors.JWTClaimValidationFailed || error instanceof errors.JWTExpired) return refuse(`the logout token's "${error.claim}" claim is not acceptable`);
    return refuse('the logout token could not be verified');
  }

  const events = payload.events as Record<string, unknown> | undefined;
  const event = events && typeof events === 'object' ? events[BACKCHANNEL_LOGOUT_EVENT] : undefined;
  if (!event || typeof event !== 'object') return refuse('the logout token carries no back-channel logout event');
  if ('nonce' in payload) return refuse('a logout token must not carry a nonce');
  const sid = typeof payload.sid === 'string' && payload.sid !== '' ? payload.sid : undefined;
  const sub = typeof payload.sub === 'string' && payload.sub !== '' ? payload.sub : undefined;
  if (!sid && !sub) return refuse('the logout token names neither a sid nor a sub');
  if (typeof payload.jti !== 'string' || payload.jti === '') return refuse('the logout token has no jti');
  const issuedAt = payload.iat!;
  return { ok: true, jti: payload.jti, sid, sub, expiresAt: typeof payload.exp === 'number' ? payload.exp : issuedAt + MAX_AGE_SEC };
}
