import 'server-only';
import * as client from 'openid-client';

/**
 * Says why a request to the IdP failed, for the server log: the HTTP status, the OAuth
 * error code, and the endpoint; never a token, code or secret (request bodies are never
 * read, and URLs lose their query).
 */
export function describeIdpFailure(error: unknown): string {
  if (error instanceof client.ResponseBodyError) {
    return `${error.status} ${error.error} from ${endpoint(error.response.url)}`;
  }
  if (error instanceof client.WWWAuthenticateChallengeError) {
    return `${error.status} ${challengeErrorCode(error) ?? 'challenge'} from ${endpoint(error.response.url)}`;
  }
  if (error instanceof client.ClientError || error instanceof client.AuthorizationResponseError) {
    const response = error.cause instanceof Response ? error.cause : undefined;
    const code = 'code' in error && typeof error.code === 'string' ? error.code : error.name;
    if (response) return `${response.status} ${code} from ${endpoint(response.url)}`;
    return `${code}: ${error.message}`;
  }
  if (error instanceof Error) {
    const cause = error.cause as { code?: unknown } | undefined;
    const code = typeof cause?.code === 'string' ? cause.code : error.name;
    return `${code}: ${error.message}`;
  }
  return 'unknown failure';
}

/**
 * The OAuth error code a WWW-Authenticate challenge carries (RFC 6750 §3, and oidc-provider's
 * `Basic error="invalid_client"`): openid-client throws on a challenge before reading the
 * body, so this is the IdP's only word on why.
 */
export function challengeErrorCode(error: client.WWWAuthenticateChallengeError): string | undefined {
  return error.cause.map((challenge) => challenge.parameters.error).find((code) => typeof code === 'string' && code !== '');
}

function endpoint(url: string): string {
  if (!url) return 'the IdP';
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return 'the IdP';
  }
}
