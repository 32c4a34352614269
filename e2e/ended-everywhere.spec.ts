import { type APIRequestContext, type Browser, expect, request as playwrightRequest, test } from '@playwright/test';
import { idp, onPostgres, sessionCookie, signIn } from './helpers';
import { type Instance, startInstance } from './instances';
import { E2E_DATABASE_URL } from './settings';

// A session ended on one instance is refused by another within a second, whichever way it
// ended (lib/auth/registry/session-ends.ts): each instance hears of ends from the database
// (PostgreSQL pushes them; SQLite is read twice a second); their cached verdicts would
// otherwise stand for REGISTRY_CHECK_INTERVAL (10 min). Instance A is the suite's app,
// B another `next start` of the same build on the same database.
test.describe.configure({ mode: 'serial' });

const PROPAGATION_BOUND_MS = 1000;
const postgres = E2E_DATABASE_URL.startsWith('postgres');

let b: Instance;
let api: APIRequestContext;
test.beforeAll(async () => {
  b = await startInstance(3109);
  api = await playwrightRequest.newContext();
});
test.afterAll(async () => {
  await Promise.all([b.kill(), api.dispose()]);
});
test.beforeEach(async () => {
  await idp.reset();
});

/** A browser signed in as `username`, its cookie, and instance B already holding its verdict. */
async function signedInAtB(browser: Browser, username: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, '/dashboard', username);
  const cookie = (await sessionCookie(context))!;
  await page.goto('about:blank');
  expect(await statusAtB(cookie)).toBe(200);
  return { context, page, cookie };
}

function statusAtB(cookie: string): Promise<number> {
  return api.get(`${b.url}/api/me`, { headers: { cookie: `renewal-session=${cookie}` } }).then((response) => response.status());
}

/** Milliseconds from now until B refuses `cookie`; fails past `boundMs`. */
async function refusedAtBWithin(cookie: string, boundMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    const status = await statusAtB(cookie);
    const elapsed = Date.now() - started;
    if (status === 401) return elapsed;
    expect(status, 'B serves the session until it hears of its end').toBe(200);
    expect(elapsed, `B still served the session ${elapsed} ms after it ended`).toBeLessThan(boundMs);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

test('a sign-out on A is refused at B within a second', async ({ browser }) => {
  const person = await signedInAtB(browser, 'soak-921');
  await person.page.goto('/dashboard');
  const signedOut = person.page.waitForResponse((response) => new URL(response.url()).pathname === '/auth/logout');
  await person.page.getByRole('button', { name: 'Sign out' }).click();
  await signedOut;
  const elapsed = await refusedAtBWithin(person.cookie, PROPAGATION_BOUND_MS);
  test.info().annotations.push({ type: 'propagation', description: `${elapsed} ms` });
  await person.context.close();
});

test('"Sign out of all other sessions" on A: the others are refused at B within a second', async ({ browser }) => {
  const laptop = await signedInAtB(browser, 'soak-922');
  const phone = await signedInAtB(browser, 'soak-922');
  const tablet = await signedInAtB(browser, 'soak-922');
  await laptop.page.goto('/sessions');
  await laptop.page.getByRole('button', { name: 'Sign out of all other sessions' }).click();
  await expect(laptop.page.getByTestId('sessions-status')).toContainText('signed out');
  for (const device of [phone, tablet]) await refusedAtBWithin(device.cookie, PROPAGATION_BOUND_MS);
  expect(await statusAtB(laptop.cookie)).toBe(200);
  await Promise.all([laptop, phone, tablet].map((device) => device.context.close()));
});

test('with the listeners\' connections killed, a sign-out on A is still refused at B, and pushes resume', async ({ browser }) => {
  test.skip(!postgres, 'PostgreSQL only: SQLite has no listener');
  const person = await signedInAtB(browser, 'soak-923');
  const killed = await killListeners();
  expect(killed, 'one listener per instance').toBeGreaterThanOrEqual(2);
  await person.page.goto('/dashboard');
  await person.page.getByRole('button', { name: 'Sign out' }).click();
  await expect(person.page.getByRole('heading', { level: 1 })).toHaveText('You are signed out');
  // Read by B's twice-a-second reads while its listener reconnects (with back-off).
  await refusedAtBWithin(person.cookie, PROPAGATION_BOUND_MS + 500);

  await expect.poll(listenerCount, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
  const next = await signedInAtB(browser, 'soak-924');
  await next.page.goto('/dashboard');
  await next.page.getByRole('button', { name: 'Sign out' }).click();
  await expect(next.page.getByRole('heading', { level: 1 })).toHaveText('You are signed out');
  await refusedAtBWithin(next.cookie, PROPAGATION_BOUND_MS);
  await Promise.all([person.context.close(), next.context.close()]);
});

const LISTENERS = `FROM pg_stat_activity WHERE application_name = 'renewal-session-ends' AND datname = current_database()`;

async function killListeners(): Promise<number> {
  return (await onPostgres<{ pg_terminate_backend: boolean }>(`SELECT pg_terminate_backend(pid) ${LISTENERS}`)).length;
}

async function listenerCount(): Promise<number> {
  return Number((await onPostgres<{ count: string }>(`SELECT count(*) ${LISTENERS}`))[0]!.count);
}
