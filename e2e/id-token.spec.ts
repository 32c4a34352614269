import { expect, test } from '@playwright/test';
import { idpControls } from '../idp/controls-client';
import { sessionCookie, signIn, signInAtIdp } from './helpers';
import { type Instance, startIdp, startInstance } from './instances';
import { ACCESS_TOKEN_TTL, CLIENT_ID, CLIENT_SECRET, E2E_DATABASE_URL } from './settings';

/**
 * The ID token's signature at sign-in, against a dev IdP of its own (its signing key is
 * changed by the test controls, which the suite's IdP must not see): a forged one opens no
 * session, and a rotated key costs one JWKS refetch.
 */
const IDP_PORT = 4122;
const APP_PORT = 3122;
const APP = `http://localhost:${APP_PORT}`;

// The IdP's behaviour does not depend on the database: one pass (SQLite) is enough.
test.skip(!E2E_DATABASE_URL.startsWith('file:'), 'ID token signature specs run in the SQLite pass');
test.describe.configure({ mode: 'serial' });

let idp: Instance;
let app: Instance;
let controls: ReturnType<typeof idpControls>;

test.beforeAll(async () => {
  idp = await startIdp(IDP_PORT, { OIDC_CLIENT_ID: CLIENT_ID, OIDC_CLIENT_SECRET: CLIENT_SECRET, APP_URL: APP, DEV_IDP_ACCESS_TOKEN_TTL: String(ACCESS_TOKEN_TTL) });
  app = await startInstance(APP_PORT, { APP_URL: APP, OIDC_ISSUER: idp.url, NOTES_API_URL: '' });
  controls = idpControls(idp.url);
});
test.afterAll(async () => {
  await app?.kill();
  await idp?.kill();
});

test('an ID token signed by a key the IdP never published opens no session: the sign-in failed page', async ({ page, context }) => {
  await controls.forgeNextIdToken();
  await page.goto(`${APP}/dashboard`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await signInAtIdp(page);
  await expect(page).toHaveURL(`${APP}/signin?reason=callback_failed&returnTo=%2Fdashboard`);
  await expect(page.getByTestId('reason')).toHaveText('The sign-in response could not be verified, so no session was created. Please try again.');
  expect(await sessionCookie(context)).toBeUndefined();
  expect((await page.request.get(`${APP}/api/me`)).status()).toBe(401);
  await expect.poll(() => app.output()).toContain('sign-in callback failed (callback_failed)');

  // The next ID token is the IdP's own: signed in (the IdP remembers alice).
  await page.goto(`${APP}/auth/login?returnTo=/dashboard`);
  await expect(page.getByTestId('user-name')).toHaveText('Alice Liddell');
});

test('after the IdP rotates its signing key, sign-in works after one JWKS refetch, and sign-out still ends the IdP session', async ({ page }) => {
  await signIn(page, `${APP}/dashboard`);
  await expect(page.getByTestId('user-name')).toHaveText('Alice Liddell');
  const before = (await controls.stats()).jwks;

  const { kid } = await controls.rotateSigningKey();
  expect(kid).not.toBe('dev-idp-1');
  await page.goto(`${APP}/auth/login?returnTo=/dashboard`);
  await expect(page.getByTestId('user-name')).toHaveText('Alice Liddell');
  expect((await controls.stats()).jwks).toBe(before + 1);

  // The new key is kept: the next sign-in fetches nothing.
  await page.goto(`${APP}/auth/login?returnTo=/dashboard`);
  await expect(page.getByTestId('user-name')).toHaveText('Alice Liddell');
  expect((await controls.stats()).jwks).toBe(before + 1);

  // RP-initiated logout with the re-signed ID token as id_token_hint ends the IdP session.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((url) => url.origin === APP && url.pathname === '/');
  expect((await controls.stats()).endSession.withIdTokenHint).toBe(1);
  await page.goto(`${APP}/auth/login?returnTo=/dashboard`);
  await expect(page.getByLabel('Password')).toBeVisible();
});
