import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { expect, type Page, test } from '@playwright/test';
import { idpControls } from '../idp/controls-client';
import { awayUntilExpired, shownExpiry, signIn, signInAtIdp } from './helpers';
import { type Instance, startIdp, startInstance } from './instances';
import { ACCESS_TOKEN_TTL, CLIENT_ID, CLIENT_SECRET, E2E_DATABASE_URL } from './settings';

/**
 * The core flows — sign in, renew, a burst at expiry, sign out, revocation — against the
 * dev IdP behaving like IdPs people really run (idp/quirks.ts), each with the settings
 * docs/CONFIGURATION.md gives for it. Each profile gets its own IdP and app instance.
 */
const IDP_PORT = 4110;
const APP_PORT = 3110;
const APP = `http://localhost:${APP_PORT}`;
const BURST = 20;

const keyFile = 'data/e2e-client-key.pem';

interface Profile {
  readonly name: string;
  readonly quirks: string;
  /** The app's settings for this IdP, as docs/CONFIGURATION.md gives them. */
  readonly app?: Record<string, string>;
  readonly needsClientKey?: boolean;
  /** Profile claims come from userinfo only: a rename at the IdP shows after a renewal asks it. */
  readonly claimsFromUserinfo?: boolean;
}

const PROFILES: readonly Profile[] = [
  { name: 'refresh responses without an ID token', quirks: 'no-id-token-on-refresh' },
  { name: 'opaque access tokens without expires_in', quirks: 'opaque-access-tokens', app: { ACCESS_TOKEN_FALLBACK_LIFETIME: String(ACCESS_TOKEN_TTL) } },
  { name: 'no refresh-token rotation (Keycloak default)', quirks: 'no-rotation' },
  {
    name: 'Google: offline_access refused, access_type=offline, no rotation',
    quirks: 'google-offline,no-rotation',
    app: { OIDC_SCOPE: 'openid profile email notes', OIDC_AUTH_PARAMS: 'access_type=offline&prompt=consent' },
  },
  { name: 'rotation with a reuse grace period (Okta)', quirks: 'reuse-grace' },
  { name: 'reuse answered by a 400 with an empty body', quirks: 'reuse-empty-400' },
  { name: 'Basic credentials not decoded, refused client answered 403', quirks: 'undecoded-basic', app: { OIDC_TOKEN_AUTH_METHOD: 'client_secret_post' } },
  { name: 'client_secret_post only', quirks: 'post-only' },
  { name: 'large tokens (2–3 KB each)', quirks: 'large-tokens' },
  {
    name: 'profile claims in userinfo only, no ID token on refresh (Auth0, Okta)',
    quirks: 'userinfo-claims,no-id-token-on-refresh',
    app: { CLAIMS_REFRESH_INTERVAL: '1' },
    claimsFromUserinfo: true,
  },
  { name: 'private_key_jwt client authentication', quirks: 'private-key-jwt', app: { OIDC_TOKEN_AUTH_METHOD: 'private_key_jwt', OIDC_CLIENT_PRIVATE_KEY_FILE: keyFile }, needsClientKey: true },
];

// The IdP's behaviour does not depend on the database: one pass (SQLite) is enough.
test.skip(!E2E_DATABASE_URL.startsWith('file:'), 'IdP quirk profiles run in the SQLite pass');

let idp: Instance | undefined;
let app: Instance | undefined;

async function startPair(quirks: string, appSettings: Record<string, string> = {}, needsClientKey = false) {
  const shared: Record<string, string> = { OIDC_CLIENT_ID: CLIENT_ID };
  if (needsClientKey) {
    mkdirSync('data', { recursive: true });
    writeFileSync(keyFile, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    shared.OIDC_CLIENT_PRIVATE_KEY_FILE = keyFile;
  } else {
    shared.OIDC_CLIENT_SECRET = CLIENT_SECRET;
  }
  idp = await startIdp(IDP_PORT, { ...shared, APP_URL: APP, DEV_IDP_ACCESS_TOKEN_TTL: String(ACCESS_TOKEN_TTL), DEV_IDP_QUIRKS: quirks });
  app = await startInstance(APP_PORT, {
    APP_URL: APP,
    OIDC_ISSUER: idp.url,
    // Its access tokens are not for the suite's notes API.
    NOTES_API_URL: '',
    ...(needsClientKey ? { OIDC_CLIENT_SECRET: '' } : {}),
    ...appSettings,
  });
  return idpControls(idp.url);
}

test.afterEach(async () => {
  await app?.kill();
  await idp?.kill();
  app = idp = undefined;
});

async function signInHere(page: Page): Promise<void> {
  await signIn(page, `${APP}/dashboard`);
  await expect(page.getByTestId('user-name')).toHaveText('Alice Liddell');
}

for (const profile of PROFILES) {
  test(`core flows with an IdP that has ${profile.name}`, async ({ page, context }) => {
    test.setTimeout(120_000);
    const controls = await startPair(profile.quirks, profile.app, profile.needsClientKey);

    await test.step('sign in', async () => {
      await signInHere(page);
      const chunks = (await context.cookies()).filter((cookie) => cookie.name.startsWith('renewal-session'));
      // Large tokens make a cookie in chunks; the ID token is not in it.
      expect(chunks.length).toBe(profile.quirks === 'large-tokens' ? 2 : 1);
    });

    await test.step('renew at expiry', async () => {
      const first = await shownExpiry(page);
      await awayUntilExpired(page);
      expect((await page.goto(`${APP}/dashboard`))?.status()).toBe(200);
      expect(await shownExpiry(page)).toBeGreaterThan(first);
      expect((await controls.stats()).token.refresh_token).toBe(1);
    });

    await test.step('a burst at expiry: one refresh, every request served', async () => {
      await awayUntilExpired(page);
      const responses = await Promise.all(Array.from({ length: BURST }, () => page.request.get(`${APP}/api/me`)));
      expect(responses.map((r) => r.status())).toEqual(Array(BURST).fill(200));
      const stats = await controls.stats();
      expect(stats.token.refresh_token).toBe(2);
      expect(stats.reuseDetected).toBe(0);
      expect(stats.tokenErrors).toEqual({});
    });

    if (profile.claimsFromUserinfo) {
      await test.step('renamed at the IdP: the next renewal asks userinfo, and the dashboard shows the new name', async () => {
        await page.goto(`${APP}/dashboard`);
        await controls.profile('alice', { name: 'Alice Kingsleigh' });
        const asked = (await controls.stats()).userinfo;
        await awayUntilExpired(page);
        await page.goto(`${APP}/dashboard`);
        await expect(page.getByTestId('user-name')).toHaveText('Alice Kingsleigh');
        expect((await controls.stats()).userinfo).toBeGreaterThan(asked);
      });
    }

    await test.step('sign out completes RP-initiated logout and ends the IdP session', async () => {
      await page.goto(`${APP}/dashboard`);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL((url) => url.origin === APP && url.pathname === '/');
      // The ID token from sign-in is kept when a refresh brings none.
      expect((await controls.stats()).endSession).toEqual({ withIdTokenHint: 1, clientIdOnly: 0 });
      await page.goto(`${APP}/dashboard`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByLabel('Password')).toBeVisible();
    });

    await test.step('a grant revoked at the IdP ends the session at the next renewal', async () => {
      await signInAtIdp(page);
      await page.waitForURL(`${APP}/dashboard`);
      await controls.revoke('alice');
      await awayUntilExpired(page);
      await page.goto(`${APP}/dashboard`);
      await expect(page).toHaveURL(/\/signin\?returnTo=%2Fdashboard&reason=refresh_failed$/);
    });
    // The quirks and test controls read request bodies before oidc-provider, unnoticed by it.
    expect(idp!.output()).not.toContain('already parsed request body');
  });
}

test('a client id with "-" and the default client_secret_basic: sign-in is refused with a page that says so, and one log line names the method and the setting to try', async ({ page }) => {
  // openid-client form-encodes the `-` in Basic credentials (RFC 6749 §2.3.1), which IdPs that do not decode them refuse.
  expect(CLIENT_ID).toContain('-');
  await startPair('undecoded-basic');
  await page.goto(`${APP}/dashboard`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await signInAtIdp(page);
  await expect(page).toHaveURL(`${APP}/signin?reason=client_refused&returnTo=%2Fdashboard`);
  await expect(page.getByText(/refused this application's credentials/)).toBeVisible();
  await expect.poll(() => app!.output()).toContain('using client_secret_basic');
  const logged = app!.output().split('\n').filter((line) => line.includes('refused this client'));
  expect(logged).toHaveLength(1);
  expect(logged[0]).toContain('403 invalid_client');
  expect(logged[0]).toContain('OIDC_TOKEN_AUTH_METHOD=client_secret_post');
  expect(app!.output()).not.toContain(CLIENT_SECRET);
});

test('Google without its settings: offline_access is refused, and the log says which settings to use', async ({ page }) => {
  await startPair('google-offline');
  await page.goto(`${APP}/dashboard`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(`${APP}/signin?reason=idp_error&returnTo=%2Fdashboard`);
  await expect.poll(() => app!.output()).toContain('invalid_scope');
  expect(app!.output()).toContain('OIDC_AUTH_PARAMS=access_type=offline&prompt=consent');
});

test('tokens too large for a cookie: the registry keeps them and the cookie refers to them (reference mode); renewal and sign-out work', async ({ page, context }) => {
  const controls = await startPair('huge-tokens');
  await signInHere(page);
  const chunks = (await context.cookies()).filter((cookie) => cookie.name.startsWith('renewal-session'));
  expect(chunks).toHaveLength(1);
  expect(chunks[0]!.value.length).toBeLessThan(1000);
  // The dashboard renews itself at expiry, still in reference mode.
  await expect(page.getByTestId('token-version')).toHaveText('1', { timeout: (ACCESS_TOKEN_TTL + 6) * 1000 });
  expect((await controls.stats()).token.refresh_token).toBe(1);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((url) => url.origin === APP && url.pathname === '/');
  expect((await context.cookies()).filter((cookie) => cookie.name.startsWith('renewal-session'))).toEqual([]);
});
