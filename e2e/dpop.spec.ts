import { expect, test } from '@playwright/test';
import { idpControls, type IdpStats } from '../idp/controls-client';
import { awayUntilExpired, shownExpiry, signIn } from './helpers';
import { type OwnStack, startOwnStack } from './instances';
import { E2E_DATABASE_URL } from './settings';

/**
 * Sender-constrained tokens (OIDC_DPOP=on) against a dev IdP that binds them and demands
 * DPoP nonces, and a notes API that checks every proof: sign-in, renewal, a burst at
 * expiry, and the notes API's three paths — the page, a server action, the browser's BFF.
 */
const IDP_PORT = 4125;
const NOTES_PORT = 4126;
const APP_PORT = 3125;
const APP = `http://localhost:${APP_PORT}`;
const BURST = 40;

// The IdP's and notes API's behaviour does not depend on the database: one pass (SQLite) is enough.
test.skip(!E2E_DATABASE_URL.startsWith('file:'), 'DPoP specs run in the SQLite pass');
test.describe.configure({ mode: 'serial' });

let stack: OwnStack;
let controls: ReturnType<typeof idpControls>;

test.beforeAll(async () => {
  stack = await startOwnStack({ app: APP_PORT, idp: IDP_PORT, notesApi: NOTES_PORT }, { idp: { DEV_IDP_QUIRKS: 'dpop-nonce' }, app: { OIDC_DPOP: 'on' } });
  controls = idpControls(stack.idp.url);
});
test.afterAll(async () => {
  await stack?.stop();
});

/** Refresh-token grants the IdP processed: those it refused for a missing nonce spent nothing. */
const refreshes = (stats: IdpStats) => (stats.token.refresh_token ?? 0) - (stats.tokenErrors['refresh_token:use_dpop_nonce'] ?? 0);

test('DPoP-bound tokens: sign in, renew, a burst of 40 at expiry makes one refresh, and the notes API takes them three ways', async ({ page }) => {
  test.setTimeout(90_000);
  await signIn(page, `${APP}/dashboard`);
  await expect(page.getByTestId('user-name')).toHaveText('Alice Liddell');
  // The IdP asked for a DPoP nonce (use_dpop_nonce), and was given one: nothing else failed.
  const nonceAsks = Object.entries((await controls.stats()).tokenErrors);
  expect(nonceAsks.length).toBeGreaterThan(0);
  expect(nonceAsks.every(([key]) => key.endsWith(':use_dpop_nonce'))).toBe(true);

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
});
