import { type APIRequestContext, type BrowserContext, expect, type Page, test } from '@playwright/test';
import { idp, sessionCookie, shownExpiry, signIn } from './helpers';
import { type Instance, startInstance } from './instances';
import { APP_PORT, APP_URL, appEnv } from './settings';

// A staged secret rotation rolled out one instance at a time, as in docs/CONFIGURATION.md.
// The suite's app on port 3100 is at stage 0 (the old secret alone); more `next start`s
// of the same build on the same database are at stage 1 (new secret accepted, old one
// seals) and stage 2 (new secret seals). During each deploy, instances of two adjacent
// stages serve the same browser; nobody may be signed out.
test.describe.configure({ mode: 'serial' });

const OLD_SECRET = appEnv(APP_PORT).SESSION_SECRET!;
const NEW_SECRET = 'e2e-rotated-session-secret-0123456789-qrstuvwxyz';
const BOTH = `2:${NEW_SECRET},1:${OLD_SECRET}`;

let stage1: Instance | undefined;
let stage2: Instance | undefined;
test.beforeAll(async () => {
  [stage1, stage2] = await Promise.all([startInstance(3103, { SESSION_SECRET: BOTH, SESSION_SECRET_SEALING: '1' }), startInstance(3104, { SESSION_SECRET: BOTH })]);
});
test.afterAll(async () => {
  await Promise.all([stage1?.kill(), stage2?.kill()]);
});
test.beforeEach(async () => {
  await idp.reset();
});

/** The id of the secret that sealed the browser's session cookie (`Fe26.2*<id>*…`). */
async function sealedWith(context: BrowserContext): Promise<string | undefined> {
  return (await sessionCookie(context))?.split('*')[1];
}

/** GET without following redirects, so a rejected page shows as 303, not as the sign-in page. */
async function get(request: APIRequestContext, url: string): Promise<{ status: number; tokenVersion?: number }> {
  const response = await request.get(url, { maxRedirects: 0 });
  const status = response.status();
  if (!url.endsWith('/api/me') || status !== 200) return { status };
  return { status, tokenVersion: (await response.json()).session.tokenVersion };
}

/**
 * Signs in on the suite's app (stage 0), then leaves it for a blank page: the app's pages
 * send requests of their own (the dashboard's refresh at expiry, prefetches), and from
 * deploy 2 on a stage-0 instance takes no part. Returns the access token's expiry.
 */
async function signInAndLeave(page: Page): Promise<number> {
  await signIn(page);
  const expiry = await shownExpiry(page);
  await page.goto('about:blank');
  await idp.reset();
  return expiry;
}

/**
 * Alternates `/api/me` and `/dashboard` between the instances, one request at a time,
 * until a second past the access token's expiry: the renewal happens on whichever
 * instance the request inside the refresh window reaches.
 */
async function alternateAcrossExpiry(page: Page, expiry: number, instances: readonly string[]): Promise<Array<{ url: string; status: number; tokenVersion?: number }>> {
  const results = [];
  for (let i = 0; Date.now() < expiry * 1000 + 1000; i++) {
    const url = `${instances[i % instances.length]}${Math.floor(i / instances.length) % 2 ? '/dashboard' : '/api/me'}`;
    results.push({ url, ...(await get(page.request, url)) });
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  return results;
}

function expectAllOk(results: ReadonlyArray<{ url: string; status: number }>): void {
  expect(results.filter((r) => r.status !== 200)).toEqual([]);
  // Both instances and both kinds of request were exercised.
  expect(new Set(results.map((r) => new URL(r.url).port)).size).toBe(2);
  expect(results.some((r) => r.url.endsWith('/dashboard'))).toBe(true);
}

test('deploy 1: instances still on the old secret and instances that accept the new one serve the same session across a renewal', async ({ page, context }) => {
  const expiry = await signInAndLeave(page);

  const results = await alternateAcrossExpiry(page, expiry, [APP_URL, stage1!.url]);
  expectAllOk(results);
  const versions = results.flatMap((r) => (r.tokenVersion === undefined ? [] : [r.tokenVersion]));
  expect(versions.at(0)).toBe(0);
  expect(versions.at(-1)).toBe(1);
  const stats = await idp.stats();
  expect(stats.token.refresh_token).toBe(1);
  expect(stats.tokenErrors).toEqual({});
  // Neither stage seals with the new secret yet.
  expect(await sealedWith(context)).toBe('1');
});

test('deploy 2: instances sealing with the new secret and instances not yet updated serve the same session; the cookie moves to the new secret', async ({ page, context }) => {
  const expiry = await signInAndLeave(page);
  expect(await sealedWith(context)).toBe('1');

  // A valid cookie sealed with the old secret is rewritten with the new one at once.
  expect((await get(page.request, `${stage2!.url}/api/me`)).status).toBe(200);
  expect(await sealedWith(context)).toBe('2');

  const results = await alternateAcrossExpiry(page, expiry, [stage2!.url, stage1!.url]);
  expectAllOk(results);
  expect(results.flatMap((r) => (r.tokenVersion === undefined ? [] : [r.tokenVersion])).at(-1)).toBe(1);
  const stats = await idp.stats();
  expect(stats.token.refresh_token).toBe(1);
  expect(stats.tokenErrors).toEqual({});

  // Whoever renewed, the next request to a stage-2 instance leaves the cookie sealed with
  // the new secret, and a stage-1 instance does not rewrite it back.
  expect((await get(page.request, `${stage2!.url}/dashboard`)).status).toBe(200);
  expect(await sealedWith(context)).toBe('2');
  expect((await get(page.request, `${stage1!.url}/api/me`)).status).toBe(200);
  expect(await sealedWith(context)).toBe('2');
});
