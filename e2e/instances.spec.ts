import { expect, test } from '@playwright/test';
import { idp, sessionCookie, shownExpiry, signIn, waitUntilPast } from './helpers';
import { type Instance, startInstance } from './instances';
import { APP_URL, REFRESH_GRACE } from './settings';

// Instance A is the suite's app on port 3100; B and C are more `next start`s of the same
// build on the same database. The browser's cookie for localhost goes to every port.
test.describe.configure({ mode: 'serial' });

let b: Instance;
test.beforeAll(async () => {
  b = await startInstance(3101);
});
test.afterAll(async () => {
  await b.kill();
});
test.beforeEach(async () => {
  await idp.reset();
});

async function expireSession(page: import('@playwright/test').Page): Promise<void> {
  const expiry = await shownExpiry(page);
  await page.goto('/');
  await waitUntilPast(expiry);
}

test('a burst of 50 requests with one expired cookie, spread over two instances, refreshes once and nobody fails', async ({ page }) => {
  await signIn(page);
  await expireSession(page);
  await idp.reset();

  const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => page.request.get(`${i % 2 ? b.url : APP_URL}/api/me`)));
  expect(responses.map((r) => r.status())).toEqual(Array(50).fill(200));
  const versions = await Promise.all(responses.map(async (r) => (await r.json()).session.tokenVersion));
  expect(new Set(versions)).toEqual(new Set([1]));
  const stats = await idp.stats();
  expect(stats.token.refresh_token).toBe(1);
  expect(stats.tokenErrors).toEqual({});
});

test('a tab still holding the pre-rotation cookie adopts the new tokens on either instance, and after the grace window is refused without reaching the IdP', async ({ page, context }) => {
  await signIn(page);
  const preRotation = (await sessionCookie(context))!;
  await expireSession(page);
  await idp.reset();

  const renewed = await page.request.get(`${APP_URL}/api/me`);
  expect((await renewed.json()).session.tokenVersion).toBe(1);
  const rotatedAt = Date.now();
  const current = (await sessionCookie(context))!;

  for (const instance of [b.url, APP_URL]) {
    await context.addCookies([{ name: 'renewal-session', value: preRotation, url: APP_URL }]);
    const adopted = await page.request.get(`${instance}/api/me`);
    expect(adopted.status()).toBe(200);
    expect((await adopted.json()).session.tokenVersion).toBe(1);
  }
  expect((await idp.stats()).token.refresh_token).toBe(1);

  await waitUntilPast((rotatedAt + REFRESH_GRACE * 1000) / 1000, 1000);
  await context.addCookies([{ name: 'renewal-session', value: preRotation, url: APP_URL }]);
  const refused = await page.request.get(`${b.url}/api/me`);
  expect(refused.status()).toBe(401);
  expect((await refused.json()).reason).toBe('superseded');

  // The spent token never reached the IdP, so the grant is intact for the live cookie.
  let stats = await idp.stats();
  expect(stats.token.refresh_token).toBe(1);
  expect(stats.tokenErrors).toEqual({});
  await context.addCookies([{ name: 'renewal-session', value: current, url: APP_URL }]);
  const live = await page.request.get(`${APP_URL}/api/me`);
  expect(live.status()).toBe(200);
  stats = await idp.stats();
  expect(stats.tokenErrors).toEqual({});
});

test('an instance killed in the middle of a refresh leaves a lease that expires, and another instance completes the renewal', async ({ page }) => {
  const c = await startInstance(3102);
  await signIn(page);
  await expireSession(page);
  await idp.reset();
  await idp.tokenEndpoint('hang');

  const stranded = page.request.get(`${c.url}/api/me`, { timeout: 20_000 }).catch(() => 'connection lost');
  await expect.poll(async () => (await idp.stats()).held, { timeout: 5_000, intervals: [50] }).toBe(1);
  await c.kill();
  expect(await stranded).toBe('connection lost');
  await idp.tokenEndpoint('ok');

  // Without lease expiry this would wait out its deadline and answer 503.
  const response = await page.request.get(`${APP_URL}/api/me`, { timeout: 30_000 });
  expect(response.status()).toBe(200);
  expect((await response.json()).session.tokenVersion).toBe(1);
  const stats = await idp.stats();
  expect(stats.token.refresh_token).toBe(1);
  expect(stats.tokenErrors).toEqual({});
});
