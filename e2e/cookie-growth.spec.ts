import { type BrowserContext, expect, type Page, test } from '@playwright/test';
import { idpControls } from '../idp/controls-client';
import { signIn } from './helpers';
import { type Instance, startIdp, startInstance, startNotesApi } from './instances';
import { ACCESS_TOKEN_TTL, CLIENT_ID, CLIENT_SECRET } from './settings';

/**
 * Tokens that grow along a session (the dev IdP's growing-tokens quirk: about 6, 16 and
 * 40 KB more at the 1st, 2nd and 3rd refresh, small again at the 4th). A refresh used to
 * write whatever cookie its tokens made: past 16 KB of headers Node answered 431 to every
 * later request, sign-out included. Now the cookie carries the tokens while they fit the
 * budget and a reference to the registry's copy when they do not (reference mode), and
 * goes back to carrying them when they fit again.
 */
const IDP_PORT = 4130;
const NOTES_API_PORT = 4131;
const APP_PORT = 3130;
const APP = `http://localhost:${APP_PORT}`;
/** COOKIE_BUDGET in lib/auth/cookie/sealed-cookie.ts. */
const COOKIE_BUDGET = 12_000;

let idp: Instance | undefined;
let notesApi: Instance | undefined;
let app: Instance | undefined;

test.afterEach(async () => {
  await app?.kill();
  await notesApi?.kill();
  await idp?.kill();
  app = notesApi = idp = undefined;
});

async function startServers() {
  idp = await startIdp(IDP_PORT, {
    OIDC_CLIENT_ID: CLIENT_ID,
    OIDC_CLIENT_SECRET: CLIENT_SECRET,
    APP_URL: APP,
    DEV_IDP_ACCESS_TOKEN_TTL: String(ACCESS_TOKEN_TTL),
    DEV_IDP_QUIRKS: 'growing-tokens',
  });
  notesApi = await startNotesApi(NOTES_API_PORT, idp.url);
  const notesUrl = notesApi.url;
  app = await startInstance(APP_PORT, { APP_URL: APP, OIDC_ISSUER: idp.url, NOTES_API_URL: notesUrl });
  return idpControls(idp.url);
}

interface Traffic {
  /** The longest Cookie header the browser sent the app. */
  longestCookieHeader: number;
  /** Answers that lock a person out (431) or fail (5xx). */
  readonly failures: string[];
}

/** Watches every request the browser makes to the app: its Cookie header, and the answer's status. */
function watchTraffic(context: BrowserContext): Traffic {
  const traffic: Traffic = { longestCookieHeader: 0, failures: [] };
  context.on('request', (request) => {
    if (!request.url().startsWith(APP)) return;
    void request.allHeaders().then((headers) => {
      traffic.longestCookieHeader = Math.max(traffic.longestCookieHeader, (headers.cookie ?? '').length);
    });
  });
  context.on('response', (response) => {
    if (response.url().startsWith(APP) && (response.status() === 431 || response.status() >= 500)) traffic.failures.push(`${response.status()} ${response.url()}`);
  });
  return traffic;
}

/** The session cookie in the browser's jar: how many chunks, how many bytes of seal. */
async function sessionCookie(context: BrowserContext): Promise<{ chunks: number; bytes: number }> {
  const chunks = (await context.cookies(APP)).filter((cookie) => /^renewal-session(\.\d+)?$/.test(cookie.name));
  return { chunks: chunks.length, bytes: chunks.reduce((sum, cookie) => sum + cookie.value.length, 0) };
}

/** Waits on the dashboard, which renews itself at expiry, until it shows `generation`. */
async function renewedTo(page: Page, generation: number): Promise<void> {
  await expect(page.getByTestId('token-version')).toHaveText(String(generation), { timeout: (ACCESS_TOKEN_TTL + 6) * 1000 });
  await expect(page.getByTestId('user-name')).toHaveText('Alice Liddell');
}

/** The notes page reads the notes API server-side with the session's access token. */
async function notesWork(page: Page): Promise<void> {
  await page.goto(`${APP}/notes`);
  await expect(page.getByTestId('server-notes')).toBeVisible();
  await expect(page.getByTestId('server-notes-error')).toHaveCount(0);
}

test('tokens that grow past the cookie budget: the person stays signed in, from cookie to reference and back, and can sign out', async ({ page, context }) => {
  test.setTimeout(120_000);
  const controls = await startServers();
  const traffic = watchTraffic(context);

  await test.step('sign in: small tokens, carried in the cookie', async () => {
    await signIn(page, `${APP}/dashboard`);
    await renewedTo(page, 0);
    const cookie = await sessionCookie(context);
    expect(cookie.chunks).toBe(1);
    expect(cookie.bytes).toBeGreaterThan(1000);
  });

  await test.step('1st refresh, ~6 KB more: still carried, in chunks, under the budget', async () => {
    await renewedTo(page, 1);
    const cookie = await sessionCookie(context);
    expect(cookie.chunks).toBeGreaterThanOrEqual(3);
    expect(cookie.bytes).toBeLessThanOrEqual(COOKIE_BUDGET);
    await notesWork(page);
    await page.goto(`${APP}/dashboard`);
  });

  await test.step('2nd refresh, ~16 KB more: the tokens stay in the registry, the cookie refers to them', async () => {
    await renewedTo(page, 2);
    const cookie = await sessionCookie(context);
    expect(cookie).toEqual({ chunks: 1, bytes: expect.any(Number) });
    expect(cookie.bytes).toBeLessThan(1000);
    await notesWork(page);
    await page.goto(`${APP}/dashboard`);
  });

  await test.step('3rd refresh, ~40 KB more: still a reference; the largest access token reaches the notes API from the page, a server action and a route handler', async () => {
    await renewedTo(page, 3);
    expect((await sessionCookie(context)).bytes).toBeLessThan(1000);
    await notesWork(page);
    await page.getByLabel('New note', { exact: true }).fill('written with a 9 KB access token');
    await page.getByRole('button', { name: 'Add note' }).click();
    await expect(page.getByTestId('notes-status')).toHaveText('Note added.');
    await expect(page.getByTestId('server-notes')).toContainText('written with a 9 KB access token');
    // The page's own fetch goes through a route handler (withSession) to the same API.
    await expect(page.getByTestId('api-notes')).toContainText('written with a 9 KB access token');
    await page.goto(`${APP}/dashboard`);
  });

  await test.step('4th refresh, small again: carried in the cookie again', async () => {
    await renewedTo(page, 4);
    const cookie = await sessionCookie(context);
    expect(cookie.chunks).toBe(1);
    expect(cookie.bytes).toBeGreaterThan(1000);
    const stats = await controls.stats();
    expect(stats.reuseDetected).toBe(0);
    expect(stats.tokenErrors).toEqual({});
  });

  await test.step('sign out', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.origin === APP && url.pathname === '/');
    expect((await sessionCookie(context)).chunks).toBe(0);
    expect((await controls.stats()).endSession).toEqual({ withIdTokenHint: 1, clientIdOnly: 0 });
  });

  expect(traffic.failures).toEqual([]);
  expect(traffic.longestCookieHeader).toBeGreaterThan(8000);
  expect(traffic.longestCookieHeader).toBeLessThanOrEqual(COOKIE_BUDGET);
});
