import 'server-only';
import { importPKCS8 } from 'jose';
import * as client from 'openid-client';
import type { ClientAuthentication, TokenAuthMethod } from '../../idp-settings';

/**
 * How the client authenticates at the token, revocation and introspection endpoints:
 * the configured OIDC_TOKEN_AUTH_METHOD, else what discovery offers.
 */

/**
 * client_secret_basic is OAuth's default (RFC 8414 §2), so it is chosen when the IdP
 * lists it or lists nothing; client_secret_post where it is the only secret method offered.
 */
export function chooseTokenAuthMethod(configured: TokenAuthMethod | undefined, offered: readonly string[] | undefined): TokenAuthMethod {
  if (configured) return configured;
  if (offered && !offered.includes('client_secret_basic') && offered.includes('client_secret_post')) return 'client_secret_post';
  return 'client_secret_basic';
}

export async function clientAuth(method: TokenAuthMethod, settings: ClientAuthentication, clientSecret: string): Promise<client.ClientAuth> {
  switch (method) {
    case 'client_secret_basic':
      return client.ClientSecretBasic(clientSecret);
    case 'client_secret_post':
      return client.ClientSecretPost(clientSecret);
    case 'private_key_jwt': {
      // lib/idp-settings.ts refuses private_key_jwt without a readable key.
      const { pkcs8, alg, kid } = settings.signingKey!;
      return client.PrivateKeyJwt({ key: await importPKCS8(pkcs8, alg), kid });
    }
  }
}

/** What to try after the token endpoint refused the client with `method`: one sentence for the log. */
export function refusedClientAdvice(method: TokenAuthMethod): string {
  switch (method) {
    case 'client_secret_basic':
      return 'check OIDC_CLIENT_ID and OIDC_CLIENT_SECRET; if they are right, set OIDC_TOKEN_AUTH_METHOD=client_secret_post (some IdPs do not decode the form-encoded Basic credentials RFC 6749 §2.3.1 requires, which breaks ids and secrets containing - _ . ! ~ * \' ( ))';
    case 'client_secret_post':
      return 'check OIDC_CLIENT_ID and OIDC_CLIENT_SECRET, and that the client is registered for client_secret_post; or set OIDC_TOKEN_AUTH_METHOD=client_secret_basic';
    case 'private_key_jwt':
      return 'check that the IdP holds the public key of OIDC_CLIENT_PRIVATE_KEY (and OIDC_CLIENT_KEY_ID, OIDC_CLIENT_KEY_ALG if it needs them) and that the client is registered for private_key_jwt';
  }
}
