import 'server-only';
import { decodeProtectedHeader, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';

/**
 * Checks an OIDC Back-Channel Logout 1.0 logout token (§2.4, §2.6): a JWT typed
 * `logout+jwt` from our IdP, signed with one of its keys under an allowed algorithm (never
 * `none`), for our client, fresh, carrying the back-channel-logout event, naming a `sid`
 * and/or a `sub`, with a `jti`, and no `nonce` (so an ID token can never pass for one).
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
  | {
      readonly ok: true;
      readonly jti: string;
      readonly sid?: string;
      readonly sub?: string;
      /** Epoch seconds: the last moment this token could pass these checks, on any of our clocks. Its `jti` must be remembered until then. */
      readonly acceptableUntil: number;
    }
  | { readonly ok: false; readonly description: string };

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** A logout token older than this is refused: it is delivered at once or not at all. */
const MAX_AGE_SEC = 300;
const CLOCK_TOLERANCE_SEC = 30;
/**
 * How long after its `iat` a token may still pass: the age limit plus the tolerance for
 * the IdP's clock, plus the same again for ours, since the instance that prunes a `jti`
 * may run ahead of the one a replay reaches.
 */
const ACCEPTABLE_FOR_SEC = MAX_AGE_SEC + 2 * CLOCK_TOLERANCE_SEC;

const refuse = (description: string): LogoutTokenVerdict => ({ ok: false, description });

export async function verifyLogoutToken(token: string, rules: LogoutTokenRules): Promise<LogoutTokenVerdict> {
  let typ: string | undefined;
  try {
    typ = decodeProtectedHeader(token).typ;
  } catch {
    return refuse('the logout token is not a JWT');
  }
  // §2.4 recommends explicit typing; required here (as RFC 8725 §3.11 advises), so that no
  // other JWT the IdP signs for us, such as an ID token, can ever be read as a logout token.
  if (typ === undefined) return refuse('the logout token has no typ; expected "logout+jwt"');
  if (!/^(application\/)?logout\+jwt$/i.test(typ)) return refuse(`unexpected typ "${typ}"`);

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
  // Whatever its `exp`, the age limit ends the token's life: remembering the jti that long is enough.
  return { ok: true, jti: payload.jti, sid, sub, acceptableUntil: payload.iat! + ACCEPTABLE_FOR_SEC };
}
