import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';

/**
 * Checks a bearer access token as a resource server must (RFC 9068, RFC 6750): a JWT
 * signed by the IdP's current keys (found through discovery), `typ` at+jwt, our issuer,
 * our audience, not expired, carrying the scope this API needs.
 */
export type Verdict =
  | { readonly ok: true; readonly subject: string; readonly claims: JWTPayload }
  /** `invalid_token` → 401; `insufficient_scope` → 403 (RFC 6750 §3.1). */
  | { readonly ok: false; readonly error: 'invalid_token' | 'insufficient_scope'; readonly description: string };

const ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'];

export interface TokenVerifier {
  verify(authorization: string | undefined): Promise<Verdict>;
}

export function createTokenVerifier(issuer: string, audience: string, scope: string): TokenVerifier {
  let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

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
    async verify(authorization) {
      const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/.exec(authorization ?? '');
      if (!match) return { ok: false, error: 'invalid_token', description: 'a Bearer access token is required' };
      try {
        const { payload } = await jwtVerify(match[1]!, await keys(), { issuer, audience, algorithms: ALGORITHMS, typ: 'at+jwt' });
        if (typeof payload.sub !== 'string') return { ok: false, error: 'invalid_token', description: 'the token names no subject' };
        const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
        if (!scopes.includes(scope)) return { ok: false, error: 'insufficient_scope', description: `the "${scope}" scope is required` };
        return { ok: true, subject: payload.sub, claims: payload };
      } catch (error) {
        const description = error instanceof errors.JWTExpired ? 'the access token expired' : error instanceof errors.JOSEError ? 'the access token is not valid here' : 'the token could not be checked';
        return { ok: false, error: 'invalid_token', description };
      }
    },
  };
}
