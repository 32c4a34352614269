import 'server-only';
import * as client from 'openid-client';
import type { ProfileClaims, TokenSet } from '../session-payload';
import { challengeErrorCode } from './idp-failure';

/**
 * What a token request's outcome means for the grant: the result of a refresh, and the
 * sorting of a failed token request (a refresh, or the code exchange at sign-in) into what
 * it says about the refresh token — gone, still good, unknown, or the client refused.
 * refresh/coordination.ts decides what each means for the session.
 */

export type RefreshResult =
  /** `claims`: the profile claims of the refreshed ID token, once its signature verified. */
  | { readonly kind: 'ok'; readonly tokens: TokenSet; readonly claims?: ProfileClaims }
  /** The grant is gone, or the IdP's answer cannot be trusted: the session ends. */
  | { readonly kind: 'terminal'; readonly error: string }
  /** The IdP did not process the request (unreachable, 5xx, 429): the token is still good. */
  | { readonly kind: 'transient'; readonly error: string }
  /**
   * The request was sent and no readable answer came back (timeout, connection cut, a 200
   * that cannot be parsed): the IdP may have rotated the token, so it must not be resent
   * blindly (lib/auth/refresh/coordination.ts decides what follows).
   */
  | { readonly kind: 'uncertain'; readonly error: string }
  /**
   * The token endpoint refused this client before judging the grant (invalid_client, a
   * 401, 403 or 404, a redirect): the operator's setting, not the person's session.
   */
  | { readonly kind: 'misconfigured'; readonly error: string };

export type RefreshFailure = Exclude<RefreshResult, { kind: 'ok' }>;

/** OAuth error codes (RFC 6749 §5.2) that refuse this client, not the grant. */
const CLIENT_REFUSED_OAUTH_ERRORS = new Set(['invalid_client', 'unauthorized_client']);
/** OAuth error codes for the IdP's own trouble: it did not process the request. */
const TRANSIENT_OAUTH_ERRORS = new Set(['temporarily_unavailable', 'server_error', 'slow_down']);
/**
 * Network failures that happen before any of the request reaches the IdP: no connection
 * (refused, no route, no such host, connect timeout) or a TLS handshake that failed.
 */
const NOT_DELIVERED_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);
/** openid-client's codes for a request it refused to send (a token endpoint that is not https). */
const NOT_SENT_CODES = new Set(['OAUTH_HTTP_REQUEST_FORBIDDEN', 'OAUTH_REQUEST_PROTOCOL_FORBIDDEN']);
/** oauth4webapi's codes for an ID token that fails validation. */
const ID_TOKEN_CODES = new Set(['OAUTH_JWT_CLAIM_COMPARISON_FAILED', 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED']);

/** What the token endpoint's HTTP status says when no OAuth error code says more. */
function classifyStatus(status: number, error: string): RefreshFailure {
  // A success status whose body could not be used: the IdP has probably rotated.
  if (status < 300) return { kind: 'uncertain', error };
  // The token endpoint refused the request itself, whatever the body: some IdPs answer a
  // spent refresh token with an empty or HTML 400 (checklist C.25).
  if (status === 400) return { kind: 'terminal', error };
  if (status === 408 || status === 429 || status >= 500) return { kind: 'transient', error };
  // A redirect, 401, 403, 404, 405…: the credentials, the endpoint's URL or a firewall
  // refused the request before anyone judged the grant. The operator's to fix.
  return { kind: 'misconfigured', error };
}

/** An OAuth error answer, from its body or its WWW-Authenticate challenge: the code first, then the status. */
function classifyOAuthError(status: number, code: string | undefined): RefreshFailure {
  if (code !== undefined) {
    if (CLIENT_REFUSED_OAUTH_ERRORS.has(code)) return { kind: 'misconfigured', error: code };
    if (TRANSIENT_OAUTH_ERRORS.has(code)) return { kind: 'transient', error: code };
    // The grant is gone, whatever status came with it.
    if (code === 'invalid_grant') return { kind: 'terminal', error: code };
  }
  return classifyStatus(status, code ?? `http_${status}`);
}

/** A 200 whose ID token failed oauth4webapi's checks: a claim compared, a timestamp, a required claim, the `alg`. */
function isIdTokenFailure(error: client.ClientError): boolean {
  if (error.code !== undefined && ID_TOKEN_CODES.has(error.code)) return true;
  const detail = (error.cause as { cause?: unknown } | undefined)?.cause;
  return typeof detail === 'object' && detail !== null && ('claims' in detail || 'header' in detail);
}

function classifyClientError(error: client.ClientError): RefreshFailure {
  const code = error.code ?? 'invalid_response';
  if (code === 'OAUTH_TIMEOUT') return { kind: 'uncertain', error: 'timeout' };
  if (NOT_SENT_CODES.has(code)) return { kind: 'transient', error: code };
  // Not JSON, or not an OAuth error: only the status speaks.
  if (error.cause instanceof Response) return classifyStatus(error.cause.status, error.cause.status < 300 ? code : `http_${error.cause.status}`);
  if (isIdTokenFailure(error)) return { kind: 'terminal', error: 'id_token_invalid' };
  // A 200 that cannot be used: unparseable, no access token, an unknown token type, an
  // unreadable ID token, or cut off or timed out while its body was read.
  return { kind: 'uncertain', error: code };
}

function networkCode(error: Error): string | undefined {
  const cause = error.cause as { code?: unknown } | undefined;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

/**
 * Sorts a failed token request (refresh, or the code exchange at sign-in) by what it says
 * about the grant; refresh-result.test.ts holds one row per shape openid-client throws:
 * - an OAuth error answer (a JSON body, or the `error` of a WWW-Authenticate challenge) is
 *   definitive (`terminal`), except the IdP's own trouble (temporarily_unavailable, 5xx,
 *   429: `transient`) and a refused client (invalid_client, unauthorized_client, 401, 403,
 *   404: `misconfigured`);
 * - without one, the status decides: 400 is definitive whatever the body, 5xx/408/429
 *   transient, other 3xx/4xx misconfigured;
 * - a 200 whose ID token fails validation is `terminal`: the answer cannot be trusted;
 * - a 200 that cannot be read, a timeout, or a connection cut after sending is
 *   `uncertain`: the IdP may have processed it;
 * - a request that never left (no connection, a failed TLS handshake, an http endpoint
 *   refused by openid-client) is `transient`: nothing reached the IdP.
 */
export function classifyRefreshError(error: unknown): RefreshFailure {
  if (error instanceof client.ResponseBodyError) return classifyOAuthError(error.status, error.error);
  // oidc-provider answers a refused client_secret_basic with one; openid-client throws it
  // before reading the body.
  if (error instanceof client.WWWAuthenticateChallengeError) return classifyOAuthError(error.status, challengeErrorCode(error));
  if (error instanceof client.ClientError) return classifyClientError(error);
  if (error instanceof Error) {
    const code = networkCode(error);
    if (code && NOT_DELIVERED_CODES.has(code)) return { kind: 'transient', error: code };
    return { kind: 'uncertain', error: code ?? 'network' };
  }
  return { kind: 'uncertain', error: 'unknown' };
}
