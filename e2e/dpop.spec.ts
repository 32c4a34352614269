import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { idpControls, type IdpStats } from '../idp/controls-client';
import { awayUntilExpired, shownExpiry, signIn } from './helpers';
import { type OwnStack, startOwnStack } from './instances';
import { CLIENT_ID, E2E_DATABASE_URL, IDP_URL } from './settings';

/**
 * Sender-constrained tokens against a dev IdP that binds them and demands DPoP nonces, and a
 * notes API that checks every proof: sign-in, renewal, a burst at expiry, the notes API's
 * three paths (the page, a server action, the browser's BFF) and sign-out. Twice: with
 * OIDC_DPOP=on, and with OIDC_PROFILE=fapi2 against the IdP's FAPI 2.0 profile (PAR
 * required, private_key_jwt, ES256 tokens, nothing but PS256/ES256/EdDSA).
 */
const BURST = 40;
const CLIENT_KEY_FILE = 'data/e2e-fapi2-client-key.pem';

interface Variant {
  readonly name: string;
  readonly ports: { readonly app: number; readonly idp: number; readonly notesApi: number };
  readonly idp: Record<string, string>;
  readonly app: Record<string, string>;
}

const VARIANTS: readonly Variant[] = [
  { name: 'OIDC_DPOP=on', ports: { app: 3125, idp: 4125, notesApi: 4126 }, idp: { DEV_IDP_QUIRKS: 'dpop-nonce' }, app: { OIDC_DPOP: 'on' } },
  {
    name: 'OIDC_PROFILE=fapi2',
    ports: { app: 3127, idp: 4127, notesApi: 4128 },
    idp: { DEV_IDP_QUIRKS: 'fapi2', OIDC_CLIENT_PRIVATE_KEY_FILE: CLIENT_KEY_FILE },
    // An RSA key: the profile signs its assertions PS256, never RS256.
    app: { OIDC_PROFILE: 'fapi2', OIDC_CLIENT_PRIVATE_KEY_FILE: CLIENT_KEY_FILE, OIDC_CLIENT_SECRET: '' },
  },
];

// The IdP's and notes API's behaviour does not depend on the database: one pass (SQLite) is enough.
test.skip(!E2E_DATABASE_URL.startsWith('file:'), 'DPoP specs run in the SQLite pass');
test.describe.configure({ mode: 'serial' });

test.beforeAll(() => {
  mkdirSync('data', { recursive: true });
  writeFileSync(CLIENT_KEY_FILE, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
});

/** Refresh-token grants the IdP processed: those it refused for a missing nonce spent nothing. */
const refreshes = (stats: IdpStats) => (stats.token.refresh_token ?? 0) - (stats.tokenErrors['refresh_token:use_dpop_nonce'] ?? 0);

for (const variant of VARIANTS) {
  test.describe(variant.name, () => {
    const APP = `http://localhost:${variant.ports.app}`;
    let stack: OwnStack;
    let controls: ReturnType<typeof idpControls>;

    test.beforeAll(async () => {
      stack = await startOwnStack(variant.ports, { idp: variant.idp, app: variant.app });
      controls = idpControls(stack.idp.url);
    });
    test.afterAll(async () => {
      await stack?.stop();
    });

    test('DPoP-bound tokens: sign in, renew, a burst of 40 at expiry makes one refresh, the notes API takes them three ways, sign out', async ({ page }) => {
      test.setTimeout(90_000);
      await signIn(page, `${APP}/dashboard`);
      await expect(page.getByTestId('user-name')).toHaveText('Alice Liddell');
      const signedIn = await controls.stats();
      // The IdP asked for a DPoP nonce (use_dpop_nonce), and was given one: nothing else failed.
      const nonceAsks = Object.entries(signedIn.tokenErrors);
      expect(nonceAsks.length).toBeGreaterThan(0);
      expect(nonceAsks.every(([key]) => key.endsWith(':use_dpop_nonce'))).toBe(true);
      expect(signedIn.par).toBe(1);

      await test.step('renewal at expiry, proof and nonce included', async () => {
        const first = await shownExpiry(page);
        await awayUntilExpired(page);
        await page.goto(`${APP}/dashboard`);
        expect(await shownExpiry(page)).toBeGreaterThan(first);
        expect(refreshes(await controls.stats())).toBe(1);
      });

      await test.step('a burst at expiry: one refresh, every request served', async () => {
        await awayUntilExpired(page);
        const responses = await Promise.all(Array.from({ length: BURST }, () => page.request.get(`${APP}/api/me`)));
        expect(responses.map((response) => response.status())).toEqual(Array(BURST).fill(200));
        const stats = await controls.stats();
        expect(refreshes(stats)).toBe(2);
        expect(stats.reuseDetected).toBe(0);
      });

      await test.step('the notes API accepts the DPoP-bound token from the page, a server action and the BFF', async () => {
        await page.goto(`${APP}/notes`);
        await expect(page.getByTestId('server-notes')).toBeVisible();
        await page.getByRole('textbox', { name: 'New note', exact: true }).fill('bound to a key');
        await page.getByRole('button', { name: 'Add note' }).click();
        await expect(page.getByTestId('notes-status')).toHaveText('Note added.');
        await expect(page.getByTestId('api-notes')).toContainText('bound to a key');
        const listed = await page.request.get(`${APP}/api/upstream/notes`);
        expect(listed.status()).toBe(200);
      });

      await test.step('sign out revokes the grant, ends the IdP session and the cookie', async () => {
        await page.goto(`${APP}/dashboard`);
        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.waitForURL((url) => url.origin === APP && url.pathname === '/');
        const stats = await controls.stats();
        expect(stats.revocation).toBe(1);
        expect(stats.endSession.withIdTokenHint).toBe(1);
        expect((await page.context().cookies()).filter((cookie) => cookie.name.startsWith('renewal-session'))).toEqual([]);
        const after = await page.request.get(`${APP}/api/me`);
        expect(after.status()).toBe(401);
      });
    });
  });
}

test.describe('OIDC_PROFILE=fapi2 at start', () => {
  /** `npm start`, as in production, against `issuer`; killed after a minute at most. */
  function npmStart(issuer: string) {
    return spawnSync(process.execPath, ['scripts/start.mjs'], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'production',
        APP_URL: 'http://localhost:3129',
        OIDC_ISSUER: issuer,
        OIDC_CLIENT_ID: CLIENT_ID,
        OIDC_PROFILE: 'fapi2',
        OIDC_CLIENT_PRIVATE_KEY_FILE: CLIENT_KEY_FILE,
        SESSION_SECRET: 'e2e-fapi2-start-secret-0123456789-abcdefghijkl',
        DATABASE_URL: 'file:./data/e2e-fapi2-start.db',
      },
      encoding: 'utf8',
      timeout: 60_000,
    });
  }

  test('refuses to start against an IdP without FAPI 2.0, naming what it lacks', () => {
    // The suite's IdP offers PAR, DPoP and private_key_jwt, but signs ID tokens with RS256 only.
    const started = npmStart(IDP_URL);
    expect(started.status).toBe(1);
    expect(started.stderr).toContain(`OIDC_PROFILE=fapi2, but the IdP at ${IDP_URL}/ does not offer:`);
    expect(started.stderr).toContain('ID tokens signed with PS256, ES256 or EdDSA: id_token_signing_alg_values_supported is RS256');
    expect(started.stdout).not.toContain('serve: listening');
  });
});
