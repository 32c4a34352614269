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
  // A blank page: app pages renew and prefetch through the proxy by themselves.
  await page.goto('about:blank');
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

/** How many generations behind a cookie may be and still adopt, past the grace window (lib/auth/refresh/coordination.ts). */
const ADOPTABLE_GENERATIONS_BEHIND = 5;

test('an older cookie adopts the newest tokens on either instance; past the grace window the last five generations still do, and older ones are refused without reaching the IdP or clearing the cookie', async ({ page, context }) => {
  test.setTimeout(120_000);
  const useCookie = (value: string) => context.addCookies([{ name: 'renewal-session', value, url: APP_URL }]);
  await signIn(page);
  const generation0 = (await sessionCookie(context))!;
  await expireSession(page);
  await idp.reset();

  const renewed = await page.request.get(`${APP_URL}/api/me`);
  let latest = (await renewed.json()).session;
  expect(latest.tokenVersion).toBe(1);
  const generation1 = (await sessionCookie(context))!;
  for (const instance of [b.url, APP_URL]) {
    await useCookie(generation0);
    const adopted = await page.request.get(`${instance}/api/me`);
    expect(adopted.status()).toBe(200);
    expect((await adopted.json()).session.tokenVersion).toBe(1);
  }
  expect((await idp.stats()).token.refresh_token).toBe(1);

  // A second rotation, then past the grace window of both.
  await useCookie(generation1);
  await waitUntilPast(latest.expiresAt);
  const again = await page.request.get(`${b.url}/api/me`);
  latest = (await again.json()).session;
  expect(latest.tokenVersion).toBe(2);
  await waitUntilPast(Date.now() / 1000 + REFRESH_GRACE, 500);

  // Generation 0, two behind and past the grace window: a late answer can put such a
  // cookie back in a browser, so it still adopts.
  const beforeLate = await idp.stats();
  await useCookie(generation0);
  const late = await page.request.get(`${APP_URL}/api/me`);
  expect(late.status()).toBe(200);
  expect((await late.json()).session.tokenVersion).toBeGreaterThanOrEqual(2);
  expect((await idp.stats()).tokenErrors).toEqual(beforeLate.tokenErrors);

  // More rotations, until generation 0 is more than five behind.
  let current = (await sessionCookie(context))!;
  while (latest.tokenVersion <= ADOPTABLE_GENERATIONS_BEHIND) {
    await waitUntilPast(latest.expiresAt);
    const next = await page.request.get(`${[APP_URL, b.url][latest.tokenVersion % 2]}/api/me`);
    expect(next.status()).toBe(200);
    latest = (await next.json()).session;
    current = (await sessionCookie(context))!;
  }
  await waitUntilPast(Date.now() / 1000 + REFRESH_GRACE, 500);

  // Refused: its spent token never sent, and no cookie cleared.
  const before = await idp.stats();
  await useCookie(generation0);
  const refused = await page.request.get(`${b.url}/api/me`);
  expect(refused.status()).toBe(401);
  expect((await refused.json()).reason).toBe('superseded');
  expect(refused.headers()['set-cookie']).toBeUndefined();
  const stats = await idp.stats();
  expect(stats.token.refresh_token).toBe(before.token.refresh_token);
  expect(stats.tokenErrors).toEqual({});

  await useCookie(current);
  const live = await page.request.get(`${APP_URL}/api/me`);
  expect(live.status()).toBe(200);
  expect((await idp.stats()).tokenErrors).toEqual({});
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
