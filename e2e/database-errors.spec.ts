import { type Browser, type BrowserContext, expect, type Page, test } from '@playwright/test';
import Database from 'better-sqlite3';
import { sessionCookie, signIn, waitUntilPast } from './helpers';
import { type Instance, startInstance } from './instances';
import { ACCESS_TOKEN_TTL, APP_URL, E2E_DATABASE_FILE, E2E_DATABASE_URL } from './settings';

// Our database failing while a person uses the app: every answer says "try again", none is
// a 500, the cookie is kept and the session works once the database answers again.
test.describe.configure({ mode: 'serial' });

/**
 * Runs `fail` while every query on the sessions table fails at once, as with a database
 * server that restarts: the table is renamed away and back. (Holding SQLite's write lock,
 * as faults.spec.ts does, leaves reads working in WAL mode, and the paths tested here meet
 * the database by reading first; a lock would also make each query wait its 5-s busy
 * timeout, longer than the suite's access tokens live.)
 */
async function whileSessionsTableFails<T>(fail: () => Promise<T>): Promise<T> {
  const sqlite = new Database(E2E_DATABASE_FILE, { timeout: 10_000 });
  sqlite.exec('ALTER TABLE "Session" RENAME TO "Session_unavailable"');
  try {
    return await fail();
  } finally {
    sqlite.exec('ALTER TABLE "Session_unavailable" RENAME TO "Session"');
    sqlite.close();
  }
}

/** Statuses of 500 and above the page received for `paths` (its navigations and action posts). */
function serverErrors(page: Page, paths: readonly string[]): string[] {
  const seen: string[] = [];
  page.on('response', (response) => {
    const { pathname } = new URL(response.url());
    if (paths.includes(pathname) && response.status() >= 500) seen.push(`${response.request().method()} ${pathname} ${response.status()}`);
  });
  return seen;
}

test.describe('the database failing', () => {
  test.skip(!E2E_DATABASE_URL.startsWith('file:'), 'renames a table in the SQLite file');

  test('GET /auth/renew answers 503 "try again" and keeps the cookie; once the database answers, it renews', async ({ page, context }) => {
    await signIn(page, '/dashboard', 'soak-945');
    await page.goto('about:blank');
    const cookie = await sessionCookie(context);
    // Past the access token's life: the renewal meets the database.
    await page.waitForTimeout((ACCESS_TOKEN_TTL + 1) * 1000);

    const response = await whileSessionsTableFails(() => page.request.get('/auth/renew?returnTo=/notes', { maxRedirects: 0 }));
    expect(response.status()).toBe(503);
    expect(response.headers()['retry-after']).toBe('5');
    expect(response.headers()['set-cookie']).toBeUndefined();
    const html = await response.text();
    expect(html).toContain('Try again in a moment');
    expect(html).toContain('You are still signed in');
    expect(await sessionCookie(context)).toBe(cookie);

    const again = await page.request.get('/auth/renew?returnTo=/notes', { maxRedirects: 0 });
    expect(again.status()).toBe(303);
    expect(again.headers().location).toBe(`${APP_URL}/notes`);
    expect((await page.request.get('/api/me')).status()).toBe(200);
  });

  test.describe('after the proxy\'s check', () => {
    // The proxy checks the session before a page renders or an action runs, and answers a
    // failing database itself; the render or the action meets the failure first when the
    // database fails after that check. An instance with the proxy off puts them first, on
    // its own origin so that its actions are same-origin; the suite's sign-in cookie is
    // valid there too (cookies are not bound to a port). Each of its requests reads the
    // registry.
    const PORT = 3112;
    let app: Instance;
    test.beforeAll(async () => {
      app = await startInstance(PORT, { RENEWAL_PROXY: 'off', APP_URL: `http://localhost:${PORT}`, REGISTRY_CHECK_INTERVAL: '1' });
    });
    test.afterAll(async () => {
      await app.kill();
    });

    /** A browser signed in as `username`, parked on a blank page. */
    async function device(browser: Browser, username: string): Promise<{ context: BrowserContext; page: Page }> {
      const context = await browser.newContext();
      const page = await context.newPage();
      await signIn(page, '/dashboard', username);
      await page.goto('about:blank');
      return { context, page };
    }

    /** Renews the access token now, so that it outlives the test's next few seconds (the suite's tokens live 6 s). */
    async function renewNow(page: Page): Promise<void> {
      const { session } = (await (await page.request.get(`${app.url}/api/me`)).json()) as { session: { expiresAt: number } };
      await waitUntilPast(session.expiresAt);
      expect((await page.request.get(`${app.url}/api/me`)).status()).toBe(200);
    }

    /**
     * Past the instance's registry interval, with the database already failing: the next
     * request must read it. (While the database answers, the instance confirms the verdicts
     * it holds in the background every half interval, so waiting before the failure starts
     * may leave a verdict freshly confirmed, and the action would never meet the database.)
     */
    const registryInterval = (page: Page) => page.waitForTimeout(1200);

    test('a page whose render cannot check the session says "try again" (503), no 500; "Try again" shows the page once the database answers', async ({ browser }) => {
      // Signed in on the suite's app: this instance has never read the session's verdict,
      // so its render has none to fall back on while the registry fails.
      const { context, page } = await device(browser, 'soak-946');
      const errors = serverErrors(page, ['/dashboard']);
      const cookie = await sessionCookie(context);

      const response = await whileSessionsTableFails(() => page.goto(`${app.url}/dashboard`));
      expect(response?.status()).toBe(503);
      expect(response?.headers()['retry-after']).toBe('5');
      expect(new URL(page.url()).pathname).toBe('/auth/unavailable');
      await expect(page.getByRole('heading', { name: 'Try again in a moment' })).toBeVisible();
      await expect(page.getByText('You are still signed in')).toBeVisible();
      expect(errors).toEqual([]);
      expect(await sessionCookie(context)).toBe(cookie);

      await page.getByRole('link', { name: 'Try again' }).click();
      await expect(page).toHaveURL(`${app.url}/dashboard`);
      await expect(page.getByTestId('user-name')).toHaveText('Soak 946');
      await context.close();
    });

    test('the "try again" page goes back only to a page of this site', async ({ request }) => {
      const response = await request.get(`${app.url}/auth/unavailable?returnTo=${encodeURIComponent('//evil.example/dashboard')}`);
      expect(response.status()).toBe(503);
      expect(response.headers()['cache-control']).toBe('private, no-store');
      expect(await response.text()).toContain('<a href="/">Try again</a>');
    });

    test('adding a note says "try again", no 500; the session then works', async ({ browser }) => {
      const { context, page } = await device(browser, 'soak-943');
      await renewNow(page);
      await page.goto(`${app.url}/notes`);
      await page.getByLabel('New note', { exact: true }).fill('written during an outage');
      const errors = serverErrors(page, ['/notes']);
      const cookie = await sessionCookie(context);

      await whileSessionsTableFails(async () => {
        await registryInterval(page);
        await page.getByRole('button', { name: 'Add note', exact: true }).click();
        await expect(page.getByTestId('notes-status')).toContainText('try again in a moment');
      });
      await expect(page.getByTestId('notes-status')).toContainText('Renewal cannot reach its database');
      expect(errors).toEqual([]);
      expect(await sessionCookie(context)).toBe(cookie);

      await page.getByLabel('New note', { exact: true }).fill('written after the outage');
      await page.getByRole('button', { name: 'Add note', exact: true }).click();
      await expect(page.getByTestId('notes-status')).toHaveText('Note added.');
      await expect(page.getByTestId('server-notes')).toContainText('written after the outage');
      await expect(page.getByTestId('server-notes')).not.toContainText('written during an outage');
      await page.goto(`${APP_URL}/dashboard`);
      await expect(page.getByTestId('user-name')).toHaveText('Soak 943');
      await context.close();
    });

    test('"Sign out of all other sessions" says "try again", no 500; the session then works, and so does the button', async ({ browser }) => {
      const other = await device(browser, 'soak-944');
      const { context, page } = await device(browser, 'soak-944');
      await renewNow(page);
      await page.goto(`${app.url}/sessions`);
      await expect(page.getByTestId('sessions').locator('tbody tr')).toHaveCount(2);
      const errors = serverErrors(page, ['/sessions']);
      const cookie = await sessionCookie(context);

      await whileSessionsTableFails(async () => {
        await registryInterval(page);
        await page.getByRole('button', { name: 'Sign out of all other sessions' }).click();
        await expect(page.getByTestId('sessions-status')).toContainText('Signing out did not complete');
        // The page itself cannot list the sessions either, and says so instead of failing.
        await expect(page.getByTestId('sessions-error')).toContainText('cannot be listed right now');
      });
      await expect(page.getByTestId('sessions-status')).toContainText('Try again in a moment; you are still signed in.');
      expect(errors).toEqual([]);
      expect(await sessionCookie(context)).toBe(cookie);

      await page.goto(`${app.url}/sessions`);
      await expect(page.getByTestId('sessions').locator('tbody tr')).toHaveCount(2);
      await page.getByRole('button', { name: 'Sign out of all other sessions' }).click();
      await expect(page.getByTestId('sessions-status')).toHaveText('One other session was signed out.');
      await expect(page.getByTestId('sessions').locator('tbody tr')).toHaveCount(1);
      await page.goto(`${APP_URL}/dashboard`);
      await expect(page.getByTestId('user-name')).toHaveText('Soak 944');
      await Promise.all([context.close(), other.context.close()]);
    });
  });
});
