import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Context, Next } from 'koa';
import { replaceRequestForm, requestForm } from './request-form.js';
import { restoreRecentlyConsumed } from './store.js';

/**
 * Behaviours of real IdPs that the dev IdP can take on (DEV_IDP_QUIRKS, comma-separated),
 * so the end-to-end suite runs the app's core flows against each. Every quirk is
 * something an IdP people really run does.
 */
export const QUIRKS = {
  'no-id-token-on-refresh': 'refresh responses carry no id_token (OIDC Core §12.2 allows it; Entra, Okta, many others)',
  'opaque-access-tokens': 'opaque access tokens, and no expires_in in token responses',
  'no-rotation': 'refresh tokens are not rotated and refresh responses carry none (Google; Keycloak by default)',
  'reuse-grace': 'a rotated refresh token stays usable for DEV_IDP_REUSE_GRACE seconds (Okta 30 s, Auth0 leeway)',
  'google-offline': 'offline_access is refused with invalid_scope; a refresh token needs access_type=offline&prompt=consent (Google)',
  'reuse-empty-400': 'a refused refresh token is answered 400 with an empty body',
  'undecoded-basic': 'Basic credentials are compared without form-decoding them; a refused client is answered 403',
  'post-only': 'only client_secret_post is offered and accepted',
  'no-introspection': 'no token introspection endpoint (Google, Entra ID, Auth0)',
  'large-tokens': 'access, refresh and ID tokens of 2–3 KB each (Keycloak, Entra)',
  'huge-tokens': 'access and refresh tokens of about 8 KB each: more than a cookie-borne session can hold',
  'growing-tokens': "tokens that grow along a session — about 6, 16 and 40 KB more at a grant's 1st, 2nd and 3rd refresh, small again from the 4th — as claims and directory groups pile up (Entra ID, Keycloak)",
  'private-key-jwt': 'the client authenticates with private_key_jwt, with the public half of OIDC_CLIENT_PRIVATE_KEY(_FILE)',
  'dpop-nonce': 'DPoP proofs must carry a nonce the IdP hands out (use_dpop_nonce), as FAPI 2.0 IdPs require',
  fapi2: 'the FAPI 2.0 Security Profile: pushed authorization requests required, DPoP-bound tokens required (with nonces), private_key_jwt with the public half of OIDC_CLIENT_PRIVATE_KEY(_FILE), ES256-signed tokens, PS256/ES256/EdDSA only (banks, health and government IdPs)',
  'userinfo-claims': 'ID tokens carry no profile claims (name, email): they come from userinfo, which also accepts the API access token (Auth0, Okta); JWT access tokens only, so not with opaque-access-tokens',
} as const;

export type Quirk = keyof typeof QUIRKS;

export function parseQuirks(raw: string | undefined): ReadonlySet<Quirk> {
  const names = (raw ?? '').split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = names.filter((name) => !(name in QUIRKS));
  if (unknown.length > 0) {
    throw new Error(`dev IdP: unknown DEV_IDP_QUIRKS ${unknown.join(', ')}; known: ${Object.keys(QUIRKS).join(', ')}`);
  }
  const quirks = new Set(names as Quirk[]);
  // The dev IdP's userinfo answers for API access tokens by verifying them as JWTs.
  if (quirks.has('userinfo-claims') && quirks.has('opaque-access-tokens')) {
    throw new Error('dev IdP: DEV_IDP_QUIRKS userinfo-claims needs JWT access tokens; it cannot be combined with opaque-access-tokens');
  }
  // fapi2 sets the client's authentication and token format itself.
  for (const other of ['post-only', 'undecoded-basic', 'opaque-access-tokens', 'google-offline'] as const) {
    if (quirks.has('fapi2') && quirks.has(other)) throw new Error(`dev IdP: DEV_IDP_QUIRKS fapi2 cannot be combined with ${other}`);
  }
  return quirks;
}

export interface TokenPadding {
  /** Appended to refresh tokens (and stripped from those presented back). */
  readonly refreshSuffix: string;
  /** An extra claim of JWT access tokens (base64 adds a third). */
  readonly accessTokenClaim: string;
  /** Directory groups in the ID token. */
  readonly idTokenGroups: readonly string[];
}

/**
 * large-tokens: padding that brings each token to 2.4–2.9 KB, the size Keycloak or Entra
 * issue; huge-tokens: about 8 KB each.
 */
export function tokenPadding(quirks: ReadonlySet<Quirk>): TokenPadding | undefined {
  const scale = quirks.has('huge-tokens') ? 3.4 : quirks.has('large-tokens') ? 1 : 0;
  if (scale === 0) return undefined;
  return {
    refreshSuffix: `.${'L'.repeat(Math.round(2400 * scale))}`,
    accessTokenClaim: 'L'.repeat(Math.round(1300 * scale)),
    idTokenGroups: Array.from({ length: 28 }, (_, i) => `renewal-demo-group-with-a-long-directory-name-${String(i).padStart(2, '0')}`),
  };
}

/** growing-tokens: what a grant's 1st, 2nd and 3rd refresh add, in characters; nothing from the 4th on. */
const GROWTH: ReadonlyArray<{ readonly accessTokenClaim: number; readonly refreshPadding: number }> = [
  { accessTokenClaim: 4_500, refreshPadding: 0 },
  { accessTokenClaim: 4_500, refreshPadding: 10_000 },
  { accessTokenClaim: 6_000, refreshPadding: 32_000 },
];

export interface TokenGrowth {
  /** A claim of the JWT access token (base64 adds a third): it stays under the 16 KB header limit of resource servers on Node. */
  readonly accessTokenClaim: string;
  /** Appended to the refresh token: padding, and the count that tells the next refresh where the grant is. */
  readonly refreshSuffix: string;
}

/** growing-tokens: what the tokens of a grant's `refreshes`th refresh carry (0: sign-in). */
export function tokenGrowth(refreshes: number): TokenGrowth {
  const size = GROWTH[refreshes - 1] ?? { accessTokenClaim: 0, refreshPadding: 0 };
  return { accessTokenClaim: 'G'.repeat(size.accessTokenClaim), refreshSuffix: `.G${refreshes}${'G'.repeat(size.refreshPadding)}` };
}

/** A refresh token handed out under growing-tokens: the IdP's own token, and how many refreshes the grant has had. */
export function grownRefreshToken(presented: string): { readonly token: string; readonly refreshes: number } | undefined {
  const match = /^([^.]+)\.G(\d+)G*$/.exec(presented);
  return match ? { token: match[1]!, refreshes: Number(match[2]) } : undefined;
}

interface QuirkContext {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUris: readonly string[];
  readonly reuseGraceSec: number;
}

const TOKEN_PATHS = new Set(['/token', '/token/introspection', '/token/revocation']);

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/**
 * The koa middleware that does, around oidc-provider, what its configuration cannot:
 * rewriting requests and responses. The quirks oidc-provider can express itself (client
 * auth method, token format, rotation) are in server.ts.
 */
export function quirkMiddleware(quirks: ReadonlySet<Quirk>, credentials: QuirkContext) {
  /** Authorization requests that asked for offline access the Google way, by PKCE challenge. */
  const offlineChallenges = new Set<string>();

  /** google-offline: does this authorization code's request qualify for a refresh token? */
  function askedForOffline(codeVerifier: unknown): boolean {
    return typeof codeVerifier === 'string' && offlineChallenges.delete(s256(codeVerifier));
  }

  async function authorization(ctx: Context): Promise<boolean> {
    const scope = String(ctx.query.scope ?? '').split(' ');
    const redirectUri = String(ctx.query.redirect_uri);
    // Only to a registered redirect URI; anything else is oidc-provider's to refuse.
    if (scope.includes('offline_access') && credentials.redirectUris.includes(redirectUri)) {
      const target = new URL(redirectUri);
      target.searchParams.set('error', 'invalid_scope');
      target.searchParams.set('error_description', 'offline_access is not a valid scope; use access_type=offline');
      if (typeof ctx.query.state === 'string') target.searchParams.set('state', ctx.query.state);
      target.searchParams.set('iss', credentials.issuer);
      ctx.redirect(target.href);
      return true;
    }
    const prompt = String(ctx.query.prompt ?? '').split(' ');
    if (ctx.query.access_type === 'offline' && prompt.includes('consent') && typeof ctx.query.code_challenge === 'string') {
      // Codes never redeemed leave their challenge behind: keep the set small.
      if (offlineChallenges.size >= 1000) offlineChallenges.clear();
      offlineChallenges.add(ctx.query.code_challenge);
    }
    return false;
  }

  /** undecoded-basic: compares Basic credentials as sent, as IdPs that skip RFC 6749 §2.3.1's decoding do. */
  function basicCredentialsRefused(ctx: Context): boolean {
    const header = ctx.get('authorization');
    if (!header.toLowerCase().startsWith('basic ')) return false;
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return decoded.slice(0, colon) !== credentials.clientId || decoded.slice(colon + 1) !== credentials.clientSecret;
  }

  /** undecoded-basic: accepted Basic credentials go on as client_secret_post, the one method oidc-provider was given. */
  async function basicAsPost(ctx: Context): Promise<void> {
    if (!ctx.get('authorization')) return;
    const form = await requestForm(ctx);
    form.set('client_id', credentials.clientId);
    form.set('client_secret', credentials.clientSecret);
    delete ctx.req.headers.authorization;
    replaceRequestForm(ctx, form);
  }

  const padding = tokenPadding(quirks);
  /** growing-tokens: how many refreshes the grant of each token request will have had once it is answered. */
  const refreshesOf = new WeakMap<IncomingMessage, number>();

  /** growing-tokens: strips the growth from refresh tokens that come back, and counts this request's refresh. */
  async function ungrowRefreshTokens(ctx: Context): Promise<void> {
    const form = await requestForm(ctx);
    let changed = false;
    for (const name of ['refresh_token', 'token']) {
      const grown = grownRefreshToken(form.get(name) ?? '');
      if (!grown) continue;
      form.set(name, grown.token);
      changed = true;
      if (name === 'refresh_token' && form.get('grant_type') === 'refresh_token') refreshesOf.set(ctx.req, grown.refreshes + 1);
    }
    if (changed) replaceRequestForm(ctx, form);
  }

  /** large-tokens, huge-tokens, growing-tokens: the extra claims of the access token this request gets. */
  function accessTokenClaims(ctx: { readonly req: IncomingMessage }): Record<string, string> | undefined {
    const growth = quirks.has('growing-tokens') ? tokenGrowth(refreshesOf.get(ctx.req) ?? 0).accessTokenClaim : '';
    if (!padding && !growth) return undefined;
    return { ...(padding ? { padding: padding.accessTokenClaim } : {}), ...(growth ? { growth } : {}) };
  }

  /** large-tokens: refresh tokens are handed out padded; strip the padding from what comes back. */
  async function unpadRefreshTokens(ctx: Context, suffix: string): Promise<void> {
    const form = await requestForm(ctx);
    let changed = false;
    for (const name of ['refresh_token', 'token']) {
      const value = form.get(name);
      if (value?.endsWith(suffix)) {
        form.set(name, value.slice(0, -suffix.length));
        changed = true;
      }
    }
    if (changed) replaceRequestForm(ctx, form);
  }

  function rewriteTokenResponse(ctx: Context, grantType: string | null): void {
    if (ctx.status === 401 && quirks.has('undecoded-basic')) ctx.status = 403;
    if (ctx.status === 400 && grantType === 'refresh_token' && quirks.has('reuse-empty-400')) {
      ctx.body = '';
      return;
    }
    const body = ctx.body as Record<string, unknown> | undefined;
    if (ctx.status !== 200 || !body || typeof body !== 'object' || typeof body.access_token !== 'string') return;
    if (quirks.has('opaque-access-tokens')) delete body.expires_in;
    if (grantType === 'refresh_token' && quirks.has('no-id-token-on-refresh')) delete body.id_token;
    if (grantType === 'refresh_token' && quirks.has('no-rotation')) delete body.refresh_token;
    if (quirks.has('growing-tokens') && typeof body.refresh_token === 'string') body.refresh_token = `${body.refresh_token}${tokenGrowth(refreshesOf.get(ctx.req) ?? 0).refreshSuffix}`;
    if (padding && typeof body.refresh_token === 'string') body.refresh_token = `${body.refresh_token}${padding.refreshSuffix}`;
  }

  async function tokenEndpoints(ctx: Context, next: Next): Promise<void> {
    if (quirks.has('undecoded-basic')) {
      if (basicCredentialsRefused(ctx)) {
        ctx.status = 403;
        ctx.body = { error: 'invalid_client', error_description: 'client authentication failed' };
        return;
      }
      await basicAsPost(ctx);
    }
    if (padding) await unpadRefreshTokens(ctx, padding.refreshSuffix);
    if (quirks.has('growing-tokens')) await ungrowRefreshTokens(ctx);
    const form = await requestForm(ctx);
    const grantType = ctx.path === '/token' ? form.get('grant_type') : null;
    const presented = form.get('refresh_token');
    if (grantType === 'refresh_token' && presented && quirks.has('reuse-grace')) restoreRecentlyConsumed(presented, credentials.reuseGraceSec);
    await next();
    rewriteTokenResponse(ctx, grantType);
  }

  return {
    askedForOffline,
    accessTokenClaims,
    async middleware(ctx: Context, next: Next): Promise<void> {
      if (ctx.method === 'GET' && ctx.path === '/auth' && quirks.has('google-offline') && (await authorization(ctx))) return;
      if (ctx.method === 'POST' && TOKEN_PATHS.has(ctx.path)) return tokenEndpoints(ctx, next);
      await next();
    },
  };
}
