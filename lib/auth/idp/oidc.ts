/**
 * idp/ — everything that talks to the IdP: discovery, grants, revocation and logout
 * (here), client authentication, what an IdP failure means, and verifying back-channel
 * logout tokens. A bottom layer: it uses only the shared modules at lib/auth's top.
 */
import 'server-only';
import { compactVerify, createRemoteJWKSet, customFetch, decodeJwt, type FetchImplementation, type JWTVerifyGetKey } from 'jose';
import * as client from 'openid-client';
import { env } from '../../env';
import { fapi2Gaps, fapi2IdTokenAlgorithms } from '../../fapi2';
import { pushesAuthorizationRequests, type TokenAuthMethod } from '../../idp-settings';
import { logOncePerMinute } from '../../throttled-log';
import { type IdpEndpoint, observeIdpRequest } from '../../telemetry/metrics';
import { outboundFetch } from '../../telemetry/outbound-fetch';
import { AuthError, isAuthError } from '../errors';
import type { DpopKey, ProfileClaims, SessionData, TokenSet } from '../session-payload';
import { chooseTokenAuthMethod, clientAuth, refusedClientAdvice } from './client-auth';
import { DPOP_ALGORITHM, dpopOption, resourceProof } from './dpop';
import { describeIdpFailure } from './idp-failure';
import { classifyRefreshError, type RefreshResult } from './refresh-result';

/**
 * Everything that talks to the IdP, and the only module that calls it through openid-client:
 * discovery (cached), the authorization URL, the code exchange, refresh, revocation
 * (RFC 7009) and RP-initiated logout.
 */

/**
 * How long a failed discovery is remembered: sign-in attempts meanwhile fail at once
 * instead of each asking a down IdP again (checklist F.39, no retry storm).
 */
const DISCOVERY_RETRY_AFTER_MS = 5_000;

let discovery: { readonly config: Promise<client.Configuration>; retryAt?: number } | undefined;
/** The token endpoint authentication method in use, named in the log when the IdP refuses the client. */
let tokenAuthMethod: TokenAuthMethod = 'client_secret_basic';

/** The IdP's endpoints by URL (origin and path), named as the metrics and spans name them. */
let endpointNames = new Map<string, IdpEndpoint>();

function idpEndpoint(url: URL): IdpEndpoint {
  if (url.pathname.endsWith('/.well-known/openid-configuration')) return 'discovery';
  return endpointNames.get(`${url.origin}${url.pathname}`) ?? 'other';
}

/** Every call to the IdP: traced, timed and counted (lib/telemetry). */
const idpFetch = outboundFetch('idp', idpEndpoint, (call, endpoint) =>
  observeIdpRequest(endpoint, call.failed ? 'network_error' : call.status! >= 400 ? 'error_status' : 'ok', call.seconds),
);

function nameEndpoints(metadata: client.ServerMetadata): void {
  const named: Array<[string | undefined, IdpEndpoint]> = [
    [metadata.pushed_authorization_request_endpoint, 'par'],
    [metadata.token_endpoint, 'token'],
    [metadata.introspection_endpoint, 'introspection'],
    [metadata.revocation_endpoint, 'revocation'],
    [metadata.jwks_uri, 'jwks'],
    [metadata.userinfo_endpoint, 'userinfo'],
  ];
  endpointNames = new Map(named.filter((entry): entry is [string, IdpEndpoint] => Boolean(entry[0])).map(([url, name]) => {
    const parsed = new URL(url);
    return [`${parsed.origin}${parsed.pathname}`, name];
  }));
}

async function discover(): Promise<client.Configuration> {
  const { oidc, session } = env();
  const options: client.DiscoveryRequestOptions = {
    ...(oidc.allowInsecure ? { execute: [client.allowInsecureRequests] } : {}),
    timeout: session.refreshTimeoutMs / 1000,
    [client.customFetch]: idpFetch,
  };
  // openid-client checks that the discovered `issuer` equals the configured one.
  const found = await client.discovery(oidc.issuer, oidc.clientId, undefined, client.None(), options);
  if (oidc.profile === 'fapi2') refuseNonConformingIdp(found.serverMetadata());
  const method = chooseTokenAuthMethod(oidc.clientAuthentication.method, found.serverMetadata().token_endpoint_auth_methods_supported);
  const auth = await clientAuth(method, oidc.clientAuthentication, oidc.clientSecret);
  const config = new client.Configuration(found.serverMetadata(), oidc.clientId, method === 'private_key_jwt' ? undefined : oidc.clientSecret, auth);
  if (oidc.allowInsecure) client.allowInsecureRequests(config);
  config[client.customFetch] = idpFetch;
  nameEndpoints(found.serverMetadata());
  // Far under openid-client's 30 s default: a hung IdP must not hold every request.
  config.timeout = session.refreshTimeoutMs / 1000;
  tokenAuthMethod = method;
  return config;
}

/**
 * OIDC_PROFILE=fapi2: an IdP whose discovery document lacks what the profile needs is not
 * used at all, rather than with less than the operator asked for. scripts/check-config.ts
 * refuses to start against it; this catches an IdP that changed since, or a server started
 * without that check.
 */
function refuseNonConformingIdp(metadata: client.ServerMetadata): void {
  const { oidc } = env();
  const gaps = fapi2Gaps(metadata, { clientAssertion: oidc.clientAuthentication.signingKey!.alg, dpopProof: DPOP_ALGORITHM });
  if (gaps.length > 0) {
    throw new AuthError('discovery_failed', `OIDC_PROFILE=fapi2, but the IdP at ${oidc.issuer.href} does not offer: ${gaps.join('; ')}. Nobody can sign in until it does (docs/CONFIGURATION.md, "FAPI 2.0")`);
  }
}

/**
 * The IdP's configuration. Parallel callers share one discovery; a failure is shared too,
 * by every caller until DISCOVERY_RETRY_AFTER_MS after it, and only then retried.
 */
export function oidcConfiguration(now = Date.now()): Promise<client.Configuration> {
  if (discovery?.retryAt !== undefined && now >= discovery.retryAt) discovery = undefined;
  if (!discovery) {
    const attempt: { config: Promise<client.Configuration>; retryAt?: number } = {
      config: discover().catch((error: unknown) => {
        attempt.retryAt = Date.now() + DISCOVERY_RETRY_AFTER_MS;
        if (isAuthError(error)) {
          logOncePerMinute(error.message);
          throw error;
        }
        const why = describeIdpFailure(error);
        logOncePerMinute(`could not read the IdP's discovery document for OIDC_ISSUER=${env().oidc.issuer.href} (${why})`);
        throw new AuthError('discovery_failed', `could not read the IdP discovery document (${why})`, { cause: error });
      }),
    };
    discovery = attempt;
  }
  return discovery.config;
}

/**
 * The IdP's discovery document, read afresh rather than from the configuration this process
 * discovered once: for the readiness check and the start-up profile check. Throws with the
 * reason when it cannot be read.
 */
export async function readDiscoveryDocument(): Promise<client.ServerMetadata> {
  const { oidc, session } = env();
  const url = new URL(`${oidc.issuer.href.replace(/\/$/, '')}/.well-known/openid-configuration`);
  const response = await idpFetch(url.href, { signal: AbortSignal.timeout(session.refreshTimeoutMs) });
  if (!response.ok) throw new AuthError('discovery_failed', `the IdP answered ${response.status} for its discovery document`);
  return (await response.json()) as client.ServerMetadata;
}

/** Whether a discovery document names the configured issuer (with or without its trailing slash). */
export function namesConfiguredIssuer(metadata: { readonly issuer?: unknown }): boolean {
  const { issuer } = env().oidc;
  return metadata.issuer === issuer.href || metadata.issuer === issuer.href.replace(/\/$/, '');
}

/**
 * Whether the IdP answers its discovery document now, naming the configured issuer: for
 * the readiness check (app/ready). Throws with the reason when it does not.
 */
export async function checkIdpDiscovery(): Promise<void> {
  if (!namesConfiguredIssuer(await readDiscoveryDocument())) throw new AuthError('discovery_failed', 'the discovery document names another issuer');
}

/** The one-time values of a sign-in attempt, kept in the sealed transaction cookie. */
export interface SignInTransaction {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  readonly returnTo: string;
  /**
   * `prompt=none`: renew a session whose refresh token was lost without asking the
   * person anything, if the IdP still knows them (lib/auth/refresh/coordination.ts, "re-authenticate").
   */
  readonly silent: boolean;
  /** A step-up: a fresh authentication to finish a sensitive action (lib/auth/entry/step-up.ts). */
  readonly stepUp?: StepUpRequest;
}

/** What a step-up asks of the IdP, and the action it finishes. */
export interface StepUpRequest {
  /** The kept action (registry/step-up-intents.ts) to finish once the person has proved who they are. */
  readonly intent: string;
  /** `max_age`: the authentication must be at most this old, in seconds. */
  readonly maxAgeSec: number;
  /** `acr_values`, space-separated: the authentication must have been one of these. */
  readonly acrValues?: string;
  /** `prompt=login`: the IdP must ask again, whatever its own session says. */
  readonly forceLogin: boolean;
}

/** Authorization code flow with PKCE (S256), state and nonce (OIDC Core 3.1.2.1, RFC 7636). */
export async function startSignIn(returnTo: string, options: { readonly silent?: boolean; readonly stepUp?: StepUpRequest } = {}): Promise<{ url: URL; transaction: SignInTransaction }> {
  const config = await oidcConfiguration();
  const { oidc } = env();
  const { silent = false, stepUp } = options;
  const transaction: SignInTransaction = {
    state: client.randomState(),
    nonce: client.randomNonce(),
    codeVerifier: client.randomPKCECodeVerifier(),
    returnTo,
    silent,
    ...(stepUp ? { stepUp } : {}),
  };
  // Extra parameters first: lib/idp-settings.ts refuses any that the flow sets itself.
  const parameters = new URLSearchParams(oidc.authorizationParams.map(([name, value]) => [name, value]));
  for (const [name, value] of Object.entries({
    redirect_uri: oidc.redirectUri,
    scope: oidc.scope,
    response_type: 'code',
    state: transaction.state,
    nonce: transaction.nonce,
    code_challenge: await client.calculatePKCECodeChallenge(transaction.codeVerifier),
    code_challenge_method: 'S256',
  })) {
    parameters.set(name, value);
  }
  // prompt=none replaces a configured prompt (Google's `consent`): a silent attempt asks nothing.
  if (silent) parameters.set('prompt', 'none');
  if (stepUp) {
    parameters.set('max_age', String(stepUp.maxAgeSec));
    if (stepUp.acrValues) parameters.set('acr_values', stepUp.acrValues);
    if (stepUp.forceLogin) parameters.set('prompt', 'login');
  }
  return { url: await authorizationUrl(config, parameters), transaction };
}

/**
 * The URL to send the browser to. Pushed (RFC 9126) when OIDC_PAR and the IdP say so: the
 * parameters travel over the back channel, authenticated as the client, and the browser
 * carries only `client_id` and the IdP's `request_uri`.
 */
async function authorizationUrl(config: client.Configuration, parameters: URLSearchParams): Promise<URL> {
  const metadata = config.serverMetadata();
  if (!pushesAuthorizationRequests(env().oidc.par, metadata)) return client.buildAuthorizationUrl(config, parameters);
  if (!metadata.pushed_authorization_request_endpoint) {
    logOncePerMinute('OIDC_PAR=on, but the IdP advertises no pushed_authorization_request_endpoint: nobody can sign in. Set OIDC_PAR=auto or off.');
    throw new AuthError('discovery_failed', 'the IdP offers no pushed authorization request endpoint');
  }
  try {
    return await client.buildAuthorizationUrlWithPAR(config, parameters);
  } catch (error) {
    logOncePerMinute(`the IdP refused or did not answer a pushed authorization request (${describeIdpFailure(error)})`);
    throw new AuthError('idp_unavailable', 'the pushed authorization request failed', { cause: error });
  }
}

export interface SignedIn {
  readonly tokens: TokenSet;
  readonly subject: string;
  readonly name?: string;
  readonly email?: string;
  readonly idpSid?: string;
  /** The ID token's `auth_time` (epoch seconds) and `acr`, when it says. */
  readonly authTime?: number;
  readonly acr?: string;
  /** The DPoP key the tokens are bound to, when they are. */
  readonly dpopKey?: DpopKey;
}

function tokenSetFrom(response: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers, now: number, previousRefreshToken?: string): TokenSet {
  return {
    accessToken: response.access_token,
    ...(response.token_type === 'dpop' ? { tokenType: 'DPoP' as const } : {}),
    // An IdP that does not rotate sends no new refresh token: keep the one we have.
    refreshToken: response.refresh_token ?? previousRefreshToken,
    idToken: response.id_token,
    expiresAt: now + (response.expiresIn() ?? jwtLifetime(response.access_token, now) ?? env().oidc.fallbackTokenLifetimeSec),
    issuedAt: now,
  };
}

function jwtLifetime(accessToken: string, now: number): number | undefined {
  try {
    const { exp } = decodeJwt(accessToken);
    if (typeof exp === 'number') return Math.max(0, exp - now);
  } catch {
    // Opaque token: the caller falls back to the configured lifetime.
  }
  return undefined;
}

function stringClaim(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Exchanges the authorization code; openid-client checks state, `iss` (RFC 9207),
 * PKCE, and the ID token's claims (iss, aud, exp, iat, nonce; azp only when aud names
 * several clients), and Renewal `azp` always and the signature (verifyIdTokenSignature). Claims the ID token lacks come from userinfo,
 * whose `sub` must match.
 */
export async function finishSignIn(currentUrl: URL, transaction: SignInTransaction, now: number, dpopKey?: DpopKey): Promise<SignedIn> {
  const config = await oidcConfiguration();
  let response;
  try {
    const checks = { pkceCodeVerifier: transaction.codeVerifier, expectedState: transaction.state, expectedNonce: transaction.nonce, idTokenExpected: true };
    response = await client.authorizationCodeGrant(config, currentUrl, checks, undefined, await dpopOption(config, dpopKey));
  } catch (error) {
    if (error instanceof client.AuthorizationResponseError) {
      throw new AuthError('idp_error', `the IdP answered ${error.error}`, { cause: error });
    }
    // The token endpoint down, slow or unreachable is not a bad sign-in response.
    const sorted = classifyRefreshError(error);
    if (sorted.kind === 'misconfigured') {
      logRefusedClient(error, 'nobody can sign in until it accepts it');
      throw new AuthError('client_refused', `the token endpoint refused this client (${sorted.error})`, { cause: error });
    }
    if (sorted.kind === 'transient' || (sorted.kind === 'uncertain' && sorted.error === 'timeout')) {
      throw new AuthError('idp_unavailable', `the token endpoint is unavailable (${sorted.error})`, { cause: error });
    }
    throw new AuthError('callback_failed', `the sign-in response could not be validated (${sorted.error})`, { cause: error });
  }
  if (env().oidc.profile === 'fapi2' && response.token_type !== 'dpop') {
    // No session will hold this grant: it must not stay live at the IdP.
    if (response.refresh_token) await revokeRefreshToken(response.refresh_token);
    throw new AuthError('callback_failed', `the IdP issued a ${response.token_type} access token; OIDC_PROFILE=fapi2 accepts sender-constrained (DPoP) tokens only`);
  }
  const claims = response.claims();
  if (!claims || !response.id_token) throw new AuthError('callback_failed', 'the IdP returned no ID token');
  // OIDC Core 3.1.3.7 (5); openid-client compares azp only when aud names several clients.
  if (claims.azp !== undefined && claims.azp !== config.clientMetadata().client_id) throw new AuthError('callback_failed', 'the ID token was issued to another client (azp)');
  await verifyIdTokenSignature(response.id_token);
  let name = stringClaim(claims.name);
  let email = stringClaim(claims.email);
  if (!name || !email) {
    try {
      const info = await client.fetchUserInfo(config, response.access_token, claims.sub, await dpopOption(config, dpopKey));
      name ??= stringClaim(info.name);
      email ??= stringClaim(info.email);
    } catch (error) {
      throw new AuthError('callback_failed', 'userinfo could not be read or its subject did not match', { cause: error });
    }
  }
  return {
    tokens: tokenSetFrom(response, now),
    subject: claims.sub,
    name,
    email,
    idpSid: stringClaim(claims.sid),
    authTime: typeof claims.auth_time === 'number' ? claims.auth_time : undefined,
    acr: stringClaim(claims.acr),
    ...(response.token_type === 'dpop' && dpopKey ? { dpopKey } : {}),
  };
}

/** The profile claims an ID token or a userinfo answer carries, if any. */
function profileOf(claims: Record<string, unknown>): ProfileClaims | undefined {
  const name = stringClaim(claims.name);
  const email = stringClaim(claims.email);
  return name === undefined && email === undefined ? undefined : { name, email };
}

/**
 * The person's profile claims from userinfo, read with `accessToken`; undefined when they
 * cannot be read (no endpoint, refused, unreachable) or name another subject.
 */
export async function readUserInfo(accessToken: string, subject: string, dpopKey?: DpopKey): Promise<ProfileClaims | undefined> {
  try {
    const config = await oidcConfiguration();
    if (!config.serverMetadata().userinfo_endpoint) return undefined;
    // A DPoP-bound token is presented with a proof, or userinfo refuses it (RFC 9449 §7).
    return profileOf(await client.fetchUserInfo(config, accessToken, subject, await dpopOption(config, dpopKey)));
  } catch (error) {
    logOncePerMinute(`userinfo could not be read after a renewal; the profile shown stays as it was (${describeIdpFailure(error)})`);
    return undefined;
  }
}

/**
 * Refreshes at the token endpoint (OIDC Core 12). A refreshed ID token is checked like one
 * at sign-in — openid-client checks `iss`, `aud`, `exp` and `iat`, here its signature and
 * that it names the same subject (openid-client v6 does not compare it with the
 * original) — and its profile claims come back with the tokens.
 */
export async function refreshGrant(refreshToken: string, expectedSubject: string, now: number, dpopKey?: DpopKey): Promise<RefreshResult> {
  let config: client.Configuration;
  try {
    config = await oidcConfiguration();
  } catch {
    return { kind: 'transient', error: 'discovery_failed' };
  }
  let response;
  try {
    // openid-client answers the IdP's use_dpop_nonce by itself, once: the refused attempt spent nothing.
    response = await client.refreshTokenGrant(config, refreshToken, undefined, await dpopOption(config, dpopKey));
  } catch (error) {
    const sorted = classifyRefreshError(error);
    if (sorted.kind === 'misconfigured') logRefusedClient(error, 'sessions are kept, and answered 503, until it accepts it');
    else logOncePerMinute(`refresh failed (${sorted.kind}): ${describeIdpFailure(error)}`);
    return sorted;
  }
  const tokens = tokenSetFrom(response, now, refreshToken);
  const claims = response.claims();
  if (!claims || !response.id_token) return { kind: 'ok', tokens };
  if (claims.sub !== expectedSubject) return { kind: 'terminal', error: 'subject_changed' };
  try {
    await verifyIdTokenSignature(response.id_token);
  } catch (error) {
    if (isAuthError(error) && error.code === 'callback_failed') return { kind: 'terminal', error: 'id_token_invalid' };
    // The IdP's keys could not be read: the tokens came from its token endpoint and are
    // kept (the refresh token is already rotated), but the ID token's claims are not believed.
    logOncePerMinute(`a refreshed ID token could not be verified, so its profile claims were ignored (${describeIdpFailure(error)})`);
    return { kind: 'ok', tokens };
  }
  const profile = profileOf(claims);
  return { kind: 'ok', tokens, ...(profile ? { claims: profile } : {}) };
}

/** One line naming the method that was refused and the setting to try. */
function logRefusedClient(error: unknown, consequence: string): void {
  logOncePerMinute(`the IdP refused this client at its token endpoint (${describeIdpFailure(error)}) using ${tokenAuthMethod}; ${consequence}. To fix: ${refusedClientAdvice(tokenAuthMethod)}`);
}

/**
 * The headers that present `session`'s access token to a resource server for one call: a
 * bearer token, or (OIDC_DPOP=on) a DPoP-bound one with its proof of possession.
 */
export async function resourceAuthorization(session: Pick<SessionData, 'tokens' | 'dpopKey'>, method: string, url: URL): Promise<Record<string, string>> {
  const { accessToken, tokenType } = session.tokens;
  if (tokenType !== 'DPoP' || !session.dpopKey) return { authorization: `Bearer ${accessToken}` };
  return { authorization: `DPoP ${accessToken}`, dpop: await resourceProof(await oidcConfiguration(), session.dpopKey, method, url, accessToken) };
}

/** What token introspection (RFC 7662) says of a refresh token. */
export type RefreshTokenProbe = 'active' | 'inactive' | 'unsupported' | 'unreachable';

/**
 * Asks the IdP whether a refresh token can still be used: after an attempt whose answer
 * never came, `active` means the IdP did not process it and it is safe to send again.
 */
export async function probeRefreshToken(refreshToken: string): Promise<RefreshTokenProbe> {
  try {
    const config = await oidcConfiguration();
    if (!config.serverMetadata().introspection_endpoint) return 'unsupported';
    const answer = await client.tokenIntrospection(config, refreshToken, { token_type_hint: 'refresh_token' });
    return answer.active ? 'active' : 'inactive';
  } catch {
    return 'unreachable';
  }
}

/** Revokes a refresh token (RFC 7009) where the IdP offers it. Never throws: sign-out must not depend on it. */
export async function revokeRefreshToken(refreshToken: string): Promise<boolean> {
  try {
    const config = await oidcConfiguration();
    if (!config.serverMetadata().revocation_endpoint) return false;
    await client.tokenRevocation(config, refreshToken, { token_type_hint: 'refresh_token' });
    return true;
  } catch {
    return false;
  }
}

/** Where to send the browser for RP-initiated logout, or undefined when the IdP offers none. */
export async function endSessionUrl(idTokenHint: string | undefined, state: string): Promise<URL | undefined> {
  try {
    const config = await oidcConfiguration();
    if (!config.serverMetadata().end_session_endpoint) return undefined;
    const params: Record<string, string> = { post_logout_redirect_uri: env().oidc.postLogoutRedirectUri, state, client_id: config.clientMetadata().client_id };
    if (idTokenHint) params.id_token_hint = idTokenHint;
    return client.buildEndSessionUrl(config, params);
  } catch {
    return undefined;
  }
}

/** What a logout token from our IdP must be checked against (lib/auth/idp/logout-token.ts). */
export interface IdpTokenRules {
  readonly issuer: string;
  readonly clientId: string;
  readonly keys: JWTVerifyGetKey;
  readonly algorithms: readonly string[];
}

type RemoteKeys = ReturnType<typeof createRemoteJWKSet>;

/** The IdP's keys are fetched like every other call to it: traced, timed and counted (`jwks`). */
const jwksFetch: FetchImplementation = (url, options) => idpFetch(url, { ...options, headers: Object.fromEntries(options.headers) });
let remoteKeys: { readonly uri: string; readonly keys: RemoteKeys } | undefined;

async function tokenRules(): Promise<IdpTokenRules & { readonly keys: RemoteKeys }> {
  const config = await oidcConfiguration();
  const metadata = config.serverMetadata();
  if (!metadata.jwks_uri) throw new AuthError('discovery_failed', 'the IdP publishes no jwks_uri');
  if (remoteKeys?.uri !== metadata.jwks_uri) remoteKeys = { uri: metadata.jwks_uri, keys: createRemoteJWKSet(new URL(metadata.jwks_uri), { [customFetch]: jwksFetch }) };
  return {
    issuer: metadata.issuer,
    clientId: config.clientMetadata().client_id,
    keys: remoteKeys.keys,
    // FAPI 2.0: whatever else the IdP signs with is refused, logout tokens included.
    algorithms: env().oidc.profile === 'fapi2' ? fapi2IdTokenAlgorithms(metadata.id_token_signing_alg_values_supported) : (metadata.id_token_signing_alg_values_supported ?? ['RS256']),
  };
}

/** The IdP's issuer, our client id, its signing keys (JWKS, refetched on an unknown kid) and algorithms. */
export function idpTokenRules(): Promise<IdpTokenRules> {
  return tokenRules();
}

/** jose's codes for a token that the IdP's keys do not verify (as opposed to keys that could not be fetched). */
const SIGNATURE_REFUSED_CODES = new Set([
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JOSE_NOT_SUPPORTED',
  'ERR_JWS_INVALID',
]);

function signatureRefused(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && SIGNATURE_REFUSED_CODES.has(code);
}

/**
 * Verifies the signature of an ID token from the token endpoint against the IdP's JWKS.
 * openid-client skips it there (OIDC Core 3.1.3.7 lets the TLS connection stand in), so
 * whoever could answer for the token endpoint — a TLS-intercepting proxy, a misissued
 * certificate, an http issuer — could otherwise name any subject. A key the cached set
 * lacks (the IdP rotated: a new `kid`, or a new key under the old one) is fetched once
 * more, whatever jose's refetch cooldown says: this token came from the IdP over the back
 * channel, not from a browser, so no one outside can make Renewal refetch with it.
 */
async function verifyIdTokenSignature(idToken: string): Promise<void> {
  try {
    const { keys, algorithms } = await tokenRules();
    const verify = () => compactVerify(idToken, keys, { algorithms: [...algorithms] });
    await verify().catch(async (error: unknown) => {
      if (!signatureRefused(error)) throw error;
      await keys.reload();
      await verify();
    });
  } catch (error) {
    if (signatureRefused(error)) throw new AuthError('callback_failed', 'the ID token\'s signature did not verify with the IdP\'s keys', { cause: error });
    throw new AuthError('idp_unavailable', `the IdP's signing keys could not be read (${describeIdpFailure(error)})`, { cause: error });
  }
}
