import { expect, test } from '@playwright/test';
import { idpControls } from '../idp/controls-client';
import { sessionCookie, shownExpiry, signIn, waitUntilPast } from './helpers';
import { type Instance, startIdp, startInstance } from './instances';
import { ACCESS_TOKEN_TTL, CLIENT_ID, CLIENT_SECRET, E2E_DATABASE_URL } from './settings';

/**
 * A deploy with a wrong client secret, holding sessions made while the secret was right
 * (another instance on the same database and SESSION_SECRET signed them in): the IdP
 * refuses every refresh, and the sessions must wait for the operator — 503 "try again",
 * cookie kept — not end. Against the dev IdP's own refusal of client_secret_basic (401
 * with a WWW-Authenticate challenge) and a refusal without one (client_secret_post: a JSON
 * 401). Both IdPs offer no token introspection, as Google, Entra ID and Auth0 do not, so a
 * refusal mistaken for a lost answer would be settled as a lost refresh token: signed out.
 */
const IDP_PORT = 4120;
const RIGHT_PORT = 3120;
const WRONG_PORT = 3121;
const APP = `http://localhost:${RIGHT_PORT}`;
const WRONG = `http://localhost:${WRONG_PORT}`;

interface Profile {
  readonly name: string;
  readonly quirks: string;
  /** How the IdP's token endpoint refuses a wrong secret. */
  readonly refusal: { readonly method: 'client_secret_basic' | 'client_secret_post'; readonly challenge: boolean };
}

const PROFILES: readonly Profile[] = [
  { name: 'a 401 with a WWW-Authenticate challenge (client_secret_basic, the dev IdP\'s default)', quirks: 'no-introspection', refusal: { method: 'client_secret_basic', challenge: true } },
  { name: 'a JSON 401 without a challenge (client_secret_post)', quirks: 'no-introspection,post-only', refusal: { method: 'client_secret_post', challenge: false } },
];

// The IdP's behaviour does not depend on the database: one pass (SQLite) is enough.
test.skip(!E2E_DATABASE_URL.startsWith('file:'), 'refused-client profiles run in the SQLite pass');

let servers: Instance[] = [];

test.afterEach(async () => {
  await Promise.all(servers.map((server) => server.kill()));
  servers = [];
});

/** A refresh request with a wrong secret, sent the way `method` sends credentials, straight to the IdP. */
async function refuseDirectly(idpUrl: string, method: Profile['refusal']['method']): Promise<Response> {
  const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'any' });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (method === 'client_secret_basic') {
    headers.authorization = `Basic ${Buffer.from(`${CLIENT_ID}:not-the-secret`).toString('base64')}`;
  } else {
    form.set('client_id', CLIENT_ID);
    form.set('client_secret', 'not-the-secret');
  }
  return fetch(`${idpUrl}/token`, { method: 'POST', headers, body: form });
}

for (const profile of PROFILES) {
  test(`the wrong-secret deploy answers 503 with the cookie kept, against an IdP that refuses it with ${profile.name}`, async ({ page, context }) => {
    test.setTimeout(120_000);
    const idp = await startIdp(IDP_PORT, {
      OIDC_CLIENT_ID: CLIENT_ID,
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
      APP_URL: APP,
      DEV_IDP_ACCESS_TOKEN_TTL: String(ACCESS_TOKEN_TTL),
      DEV_IDP_QUIRKS: profile.quirks,
    });
    servers.push(idp);
    // Its access tokens are not for the suite's notes API.
    const settings = { APP_URL: APP, OIDC_ISSUER: idp.url, NOTES_API_URL: '' };
    const [right, wrong] = await Promise.all([startInstance(RIGHT_PORT, settings), startInstance(WRONG_PORT, { ...settings, OIDC_CLIENT_SECRET: 'not-the-secret' })]);
    servers.push(right, wrong);
    const controls = idpControls(idp.url);

    await test.step(`the IdP refuses a wrong secret with ${profile.name}`, async () => {
      const refused = await refuseDirectly(idp.url, profile.refusal.method);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({ error: 'invalid_client' });
      if (profile.refusal.challenge) expect(refused.headers.get('www-authenticate')).toContain('error="invalid_client"');
      else expect(refused.headers.get('www-authenticate')).toBeNull();
      expect((await (await fetch(`${idp.url}/.well-known/openid-configuration`)).json()).introspection_endpoint).toBeUndefined();
    });

    await signIn(page, `${APP}/dashboard`);
    const cookie = await sessionCookie(context);
    const expiry = await shownExpiry(page);
    // Away from the self-renewing dashboard until the access token has expired.
    await page.goto('about:blank');
    await waitUntilPast(expiry);
    await controls.reset();

    await test.step('the API on the wrong-secret instance: 503 JSON, the cookie neither cleared nor rewritten', async () => {
      const api = await page.request.get(`${WRONG}/api/me`);
      expect(api.status()).toBe(503);
      expect(await api.json()).toEqual({ error: 'unavailable', reason: 'idp_unavailable' });
      expect(api.headers()['set-cookie']).toBeUndefined();
      expect(await sessionCookie(context)).toBe(cookie);
      expect(Object.keys((await controls.stats()).tokenErrors).join()).toContain('invalid_client');
    });

    await test.step('a page on the wrong-secret instance: 503 "try again", the cookie kept', async () => {
      const response = await page.goto(`${WRONG}/dashboard`);
      expect(response?.status()).toBe(503);
      await expect(page.getByRole('heading', { name: 'Try again in a moment' })).toBeVisible();
      await expect(page.getByText('You are still signed in')).toBeVisible();
      expect(await sessionCookie(context)).toBe(cookie);
    });

    await test.step('the refresh token was never spent: the instance with the right secret renews the session', async () => {
      await page.goto('about:blank');
      // After the few seconds every instance waits following a failed attempt.
      await expect.poll(async () => (await page.request.get(`${APP}/api/me`)).status(), { timeout: 15_000 }).toBe(200);
      expect((await controls.stats()).reuseDetected).toBe(0);
    });

    expect(wrong.output()).toContain(`refused this client at its token endpoint (401 invalid_client from ${idp.url}/token) using ${profile.refusal.method}`);
    expect(wrong.output()).not.toContain('not-the-secret');
  });
}
