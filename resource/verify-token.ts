import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';
import { createDpopChecker } from './verify-dpop.js';

/**
 * Checks an access token as a resource server must (RFC 9068, RFC 6750): a JWT signed by
 * the IdP's current keys (found through discovery), `typ` at+jwt, our issuer, our
 * audience, not expired, carrying the scope this API needs. A token bound to a key
 * (`cnf.jkt`, RFC 9449) is taken only with the DPoP scheme and a proof of that key: sent
 * as a bearer token — copied from a log, replayed by a downstream service — it is refused.
 */
export type Verdict =
  | { readonly ok: true; readonly subject: string; readonly claims: JWTPayload }
  /**
   * `invalid_token`, `invalid_dpop_proof` → 401; `insufficient_scope` → 403 (RFC 6750
   * §3.1, RFC 9449 §7.1). `scheme`: the challenge to answer with.
   */
  | { readonly ok: false; readonly error: 'invalid_token' | 'insufficient_scope' | 'invalid_dpop_proof'; readonly description: string; readonly scheme: 'Bearer' | 'DPoP' };

/** What a request presents: its Authorization header, every DPoP header field, and where it was sent. */
export interface PresentedToken {
  readonly authorization: string | undefined;
  readonly dpop: readonly string[];
  readonly method: string;
  readonly url: URL;
}

const ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'];

export interface TokenVerifier {
  verify(presented: PresentedToken): Promise<Verdict>;
}

/** RFC 6750 §2.1, RFC 9449 §7.1: a scheme (case-insensitive, RFC 9110 §11.1) and a token68. */
const AUTHORIZATION = /^(Bearer|DPoP) +([A-Za-z0-9\-._~+/]+=*)$/i;

export function createTokenVerifier(issuer: string, audience: string, scope: string): TokenVerifier {
  let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  const checkDpop = createDpopChecker();

  async function keys() {
    if (jwks) return jwks;
    const response = await fetch(`${issuer}/.well-known/openid-configuration`);
    if (!response.ok) throw new Error(`discovery answered ${response.status}`);
    const metadata = (await response.json()) as { issuer?: string; jwks_uri?: string };
    if (metadata.issuer !== issuer || !metadata.jwks_uri) throw new Error('discovery document does not match the issuer');
    jwks = createRemoteJWKSet(new URL(metadata.jwks_uri));
    return jwks;
  }

  return {
    async verify({ authorization, dpop, method, url }) {
      const match = AUTHORIZATION.exec(authorization ?? '');
      if (!match) return { ok: false, error: 'invalid_token', description: 'a Bearer or DPoP access token is required', scheme: 'Bearer' };
      const scheme = match[1]!.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer';
      const token = match[2]!;
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, await keys(), { issuer, audience, algorithms: ALGORITHMS, typ: 'at+jwt' }));
      } catch (error) {
        const description = error instanceof errors.JWTExpired ? 'the access token expired' : error instanceof errors.JOSEError ? 'the access token is not valid here' : 'the token could not be checked';
        return { ok: false, error: 'invalid_token', description, scheme };
      }
      if (typeof payload.sub !== 'string') return { ok: false, error: 'invalid_token', description: 'the token names no subject', scheme };
      // Every DPoP refusal is answered with a DPoP challenge, a bound token sent as Bearer included: the client must learn to prove its key.
      const binding = await checkDpop({ scheme, accessToken: token, claims: payload, proofs: dpop, method, url });
      if (!binding.ok) return { ...binding, scheme: 'DPoP' };
      const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
      if (!scopes.includes(scope)) return { ok: false, error: 'insufficient_scope', description: `the ${scope} scope is required`, scheme };
      return { ok: true, subject: payload.sub, claims: payload };
    },
  };
}
