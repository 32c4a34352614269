import { type JWK, jwtVerify } from 'jose';
import type { Context, Next } from 'koa';
import { type DemoAccount, findAccount } from './accounts.js';

/** What the userinfo-claims quirk's /me accepts: access tokens this IdP signed for the notes API. */
export interface UserinfoSettings {
  readonly issuer: string;
  /** The notes API's resource indicator, the `aud` of the access tokens. */
  readonly audience: string;
  /** The public half of the IdP's signing key (kid dev-idp-1), and its algorithm. */
  readonly publicKey: CryptoKey | JWK;
  readonly alg: string;
}

/** The person a `Bearer` access token was issued for, if the IdP really issued it for the notes API and it is still valid. */
async function bearerAccount(authorization: string, settings: UserinfoSettings): Promise<DemoAccount | undefined> {
  const match = /^Bearer +([\w.~+/-]+=*)$/i.exec(authorization.trim());
  if (!match) return undefined;
  try {
    // typ at+jwt (RFC 9068): an ID token, signed by the same key, is not an access token.
    const { payload } = await jwtVerify(match[1]!, settings.publicKey, { issuer: settings.issuer, audience: settings.audience, algorithms: [settings.alg], typ: 'at+jwt' });
    return typeof payload.sub === 'string' ? findAccount(payload.sub) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The userinfo-claims quirk's GET /me: like Auth0 and Okta, userinfo accepts the access
 * token issued for the API, and answers the profile claims the ID token left out.
 * oidc-provider's own userinfo would refuse a token for another audience, so the IdP
 * answers it here: 200 with the person's current claims, else 401 invalid_token.
 */
export function userinfoForApiTokens(settings: UserinfoSettings) {
  return async function userinfoMiddleware(ctx: Context, next: Next): Promise<void> {
    if (ctx.method !== 'GET' || ctx.path !== '/me') return next();
    ctx.set('Cache-Control', 'no-store');
    const account = await bearerAccount(ctx.get('authorization'), settings);
    if (!account) {
      ctx.status = 401;
      ctx.set('WWW-Authenticate', 'Bearer error="invalid_token"');
      ctx.body = { error: 'invalid_token', error_description: 'the access token is missing, invalid, expired or not for this IdP' };
      return;
    }
    ctx.body = { sub: account.id, name: account.name, email: account.email, email_verified: true };
  };
}
