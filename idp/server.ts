/**
 * The dev identity provider: oidc-provider with two demo people, strict refresh-token
 * rotation, revocation, introspection, RP-initiated logout, acr `pwd` or `mfa`, and a
 * page where people change their name and email (/profile). The app reaches it only over
 * HTTP.
 */
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import { type Configuration, errors, Provider } from './oidc-provider.js';
import { enableSoakAccounts, findAccount } from './accounts.js';
import { interactionRoutes } from './interactions.js';
import { ACR_VALUES } from './login.js';
import { logoutPage } from './pages.js';
import { profilePageRoutes } from './profile-page.js';
import { quirkMiddleware, tokenPadding } from './quirks.js';
import { readSettings } from './settings.js';
import { MemoryStore } from './store.js';
import { testControls } from './test-controls.js';
import { introspectionPolicy, revocationPolicy } from './token-policies.js';
import { userinfoForApiTokens } from './userinfo.js';

const settings = readSettings();
if (settings.testControls) enableSoakAccounts();

const { quirks } = settings;
const fapi2 = quirks.has('fapi2');

// FAPI 2.0 allows PS256, ES256 and EdDSA only (Security Profile, cryptography).
const SIGNING_ALG = fapi2 ? 'ES256' : 'RS256';
const signingKey = await generateKeyPair(SIGNING_ALG, { extractable: true });
const jwk = { ...(await exportJWK(signingKey.privateKey)), kid: 'dev-idp-1', alg: SIGNING_ALG, use: 'sig' };
const FAPI2_ALGORITHMS: Array<'PS256' | 'ES256' | 'EdDSA'> = ['PS256', 'ES256', 'EdDSA'];
const redirectUris = settings.appUrls.map((url) => `${url}/auth/callback`);
const quirky = quirkMiddleware(quirks, { ...settings, redirectUris });

/** How the client must authenticate, by quirk; client_secret_basic is oidc-provider's (and OAuth's) default. */
function clientAuthentication(): Record<string, unknown> {
  if (quirks.has('private-key-jwt') || fapi2) return { token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [settings.clientPublicJwk] } };
  // undecoded-basic: quirks.ts turns the Basic credentials it accepts into a post.
  if (quirks.has('post-only') || quirks.has('undecoded-basic')) return { token_endpoint_auth_method: 'client_secret_post', client_secret: settings.clientSecret };
  return { token_endpoint_auth_method: 'client_secret_basic', client_secret: settings.clientSecret };
}

const padding = tokenPadding(quirks);

const configuration: Configuration = {
  adapter: MemoryStore,
  clients: [
    {
      client_id: settings.clientId,
      ...clientAuthentication(),
      client_name: 'Renewal',
      redirect_uris: redirectUris,
      post_logout_redirect_uris: settings.appUrls.map((url) => `${url}/`),
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      // Every ID token, refreshed ones included, says when the person authenticated, so
      // the app can tell a renewal from a new sign-in.
      require_auth_time: true,
      // oidc-provider puts acr in ID tokens only when the request asks for one; asking for
      // `pwd` by default makes every ID token say how the person authenticated.
      default_acr_values: ['pwd'],
      // OIDC Back-Channel Logout: a sign-out here reaches the app's sessions.
      backchannel_logout_uri: `${settings.appUrls[0]}/auth/backchannel-logout`,
      backchannel_logout_session_required: true,
      // fapi2: ID and logout tokens signed with ES256, and no token without a DPoP proof (RFC 9449 §5.2).
      ...(fapi2 ? { id_token_signed_response_alg: SIGNING_ALG, dpop_bound_access_tokens: true } : {}),
    },
  ],
  // oidc-provider sends back-channel logout through a guard that refuses loopback
  // addresses (SSRF). The dev IdP's app is on loopback: let exactly its URLs through. A
  // production IdP must never do this.
  async fetch(url, options) {
    const target = String(url);
    if (settings.appUrls.some((app) => target.startsWith(`${app}/`))) {
      const { dispatcher: _ssrfGuard, ...unguarded } = options as RequestInit & { dispatcher?: unknown };
      return globalThis.fetch(url, unguarded);
    }
    return globalThis.fetch(url, options);
  },
  jwks: { keys: [jwk] },
  cookies: { keys: ['renewal-dev-idp-cookie-key-not-a-secret'] },
  // A login result's acr (login.ts): oidc-provider puts it in the ID tokens and answers
  // max_age itself, asking for a new login when the session's is older.
  acrValues: [...ACR_VALUES],
  claims: {
    openid: ['sub'],
    profile: ['name', 'groups'],
    email: ['email', 'email_verified'],
  },
  async findAccount(_ctx, id) {
    const account = findAccount(id);
    if (!account) return undefined;
    return {
      accountId: account.id,
      async claims(use) {
        // userinfo-claims: the profile is userinfo's to tell (userinfo.ts).
        if (use === 'id_token' && quirks.has('userinfo-claims')) return { sub: account.id };
        return { sub: account.id, name: account.name, email: account.email, email_verified: true, groups: padding?.idTokenGroups };
      },
    };
  },
  // ID tokens carry the profile claims, so the app never needs userinfo: its access
  // tokens are for the notes API (below), which userinfo would not accept — except under
  // userinfo-claims, where userinfo.ts answers for them.
  conformIdTokenClaims: false,
  features: {
    devInteractions: { enabled: false },
    // RFC 8707: access tokens are JWTs for the notes API (resource/), which checks them
    // itself — so the token the app keeps alive is really verified by someone else.
    resourceIndicators: {
      enabled: true,
      defaultResource: async () => settings.notesAudience,
      useGrantedResource: async () => true,
      async getResourceServerInfo(_ctx, resource) {
        if (resource !== settings.notesAudience) throw new errors.InvalidTarget();
        return {
          scope: 'notes',
          audience: settings.notesAudience,
          accessTokenTTL: settings.accessTokenTtl,
          accessTokenFormat: quirks.has('opaque-access-tokens') ? 'opaque' : 'jwt',
          jwt: { sign: { alg: SIGNING_ALG } },
        };
      },
    },
    revocation: { enabled: true, allowedPolicy: revocationPolicy },
    // RFC 9449: tokens are bound to the client's key when it sends DPoP proofs;
    // dpop-nonce: every proof must carry a nonce from the IdP (RFC 9449 §8).
    dPoP: quirks.has('dpop-nonce') || fapi2 ? { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true } : { enabled: true },
    // RFC 9126, as oidc-provider offers it by default; Google offers none; FAPI 2.0 requires it.
    pushedAuthorizationRequests: { enabled: !quirks.has('google-offline'), requirePushedAuthorizationRequests: fapi2 },
    // oidc-provider's FAPI 2.0 profile: PKCE and redirect_uri required, no access tokens in query strings.
    fapi: { enabled: fapi2, profile: fapi2 ? '2.0' : undefined },
    backchannelLogout: { enabled: true },
    // RFC 7662: lets the app ask whether a refresh token is still active after a refresh
    // whose answer it never saw (a timeout, a dropped connection).
    introspection: { enabled: !quirks.has('no-introspection'), allowedPolicy: introspectionPolicy },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = logoutPage(form);
      },
    },
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  pkce: { required: () => true },
  // The app asks for offline_access, but oidc-provider honours it only with
  // prompt=consent. Like most hosted IdPs, issue refresh tokens to any client allowed the
  // grant, and keep them alive past the IdP's browser session.
  // google-offline: only to authorization requests with access_type=offline&prompt=consent.
  issueRefreshToken: async (ctx, client) =>
    client.grantTypeAllowed('refresh_token') && (!quirks.has('google-offline') || quirky.askedForOffline(ctx.oidc.params?.code_verifier)),
  expiresWithSession: async () => false,
  // Strict rotation: every refresh spends the token, and presenting a spent one revokes
  // the whole grant. This is the behaviour that signs people out of naive clients.
  // no-rotation: the same refresh token serves until it expires (Google, Keycloak's default).
  rotateRefreshToken: () => !quirks.has('no-rotation'),
  ...(quirks.has('post-only') ? { clientAuthMethods: ['client_secret_post'] } : {}),
  ...(fapi2
    ? {
        clientAuthMethods: ['private_key_jwt'],
        enabledJWA: { clientAuthSigningAlgValues: FAPI2_ALGORITHMS, idTokenSigningAlgValues: FAPI2_ALGORITHMS, dPoPSigningAlgValues: ['ES256', 'EdDSA'] },
      }
    : {}),
  extraTokenClaims: async (ctx) => quirky.accessTokenClaims(ctx),
  ttl: {
    AccessToken: settings.accessTokenTtl,
    AuthorizationCode: 60,
    IdToken: 3600,
    Interaction: 3600,
    Session: 14 * 24 * 3600,
    Grant: 14 * 24 * 3600,
    RefreshToken: 14 * 24 * 3600,
  },
  renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = `<!doctype html><title>Error</title><h1>${String(out.error).replace(/[<>&"']/g, '')}</h1>`;
  },
};

const provider = new Provider(settings.issuer, configuration);
provider.on('backchannel.error', (_ctx, error, client) => {
  console.error(`dev IdP: back-channel logout to ${client.clientId} failed: ${error instanceof Error ? error.message : String(error)}`);
});
provider.proxy = false;
// Quirks outermost: the test controls count what oidc-provider answered, the app sees the quirk.
if (quirks.size > 0) provider.use(quirky.middleware);
if (settings.testControls) provider.use(testControls());
// Inside the test controls, which count its answers.
if (quirks.has('userinfo-claims')) provider.use(userinfoForApiTokens({ issuer: settings.issuer, audience: settings.notesAudience, publicKey: signingKey.publicKey, alg: SIGNING_ALG }));
provider.use(profilePageRoutes());
provider.use(interactionRoutes(provider));

const server = provider.listen(settings.port, settings.host, () => {
  const quirkList = quirks.size > 0 ? `, quirks: ${[...quirks].join(', ')}` : '';
  console.log(`dev IdP: ${settings.issuer} (access tokens live ${settings.accessTokenTtl}s${settings.testControls ? ', test controls on' : ''}${quirkList})`);
});

function stop(): void {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
