import { type Browser, expect, type Page, test } from '@playwright/test';
import { idpControls } from '../idp/controls-client';
import { auditEvents, awayUntilExpired, sessionCookie, shownExpiry, signIn, signInAtIdp, waitUntilPast } from './helpers';
import { type OwnStack, startOwnStack } from './instances';

/**
 * Fresh identity, against a dev IdP of its own (its accounts are renamed here, which the
 * suite's IdP must not see) and an app instance with a short STEP_UP_MAX_AGE:
 * - a person renamed at the IdP shows under the new name after the next renewal;
 * - sensitive actions — "sign out of all other sessions", deleting a note — ask an old
 *   sign-in to confirm at the IdP, then finish, in the same session; a recent one goes
 *   straight through.
 */
const IDP_PORT = 4123;
const NOTES_PORT = 4124;
const APP_PORT = 3123;
const APP = `http://localhost:${APP_PORT}`;
/** Seconds a sign-in counts as recent for a sensitive action, here. */
const STEP_UP_MAX_AGE = 8;

test.describe.configure({ mode: 'serial' });

let stack: OwnStack;
let controls: ReturnType<typeof idpControls>;

test.beforeAll(async () => {
  stack = await startOwnStack({ app: APP_PORT, idp: IDP_PORT, notesApi: NOTES_PORT }, { app: { STEP_UP_MAX_AGE: String(STEP_UP_MAX_AGE) } });
  controls = idpControls(stack.idp.url);
});
test.afterAll(async () => {
  await stack?.stop();
});
test.beforeEach(async () => {
  await controls.reset();
});

/** A browser of its own, signed in as `username` on the dashboard. */
async function device(browser: Browser, username = 'alice'): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, `${APP}/dashboard`, username);
  return page;
}

/** Every request `page` makes to the IdP's authorization endpoint from now on. */
function idpVisits(page: Page): string[] {
  const visits: string[] = [];
  page.on('request', (request) => {
    if (request.url().startsWith(`${stack.idp.url}/auth`)) visits.push(request.url());
  });
  return visits;
}

/** Lets the sign-in age past STEP_UP_MAX_AGE. */
const outlastStepUpMaxAge = () => new Promise((resolve) => setTimeout(resolve, (STEP_UP_MAX_AGE + 1) * 1000));

test('renamed at the IdP: after the next renewal the dashboard, the header and /api/me show the new name', async ({ page }) => {
  await signIn(page, `${APP}/dashboard`);
  await expect(page.getByTestId('user-name')).toHaveText('Alice Liddell');
  const renewalsBefore = (await controls.stats()).token.refresh_token ?? 0;

  await controls.profile('alice', { name: 'Alice Kingsleigh', email: 'alice@wonderland.test' });
  // Until the access token is renewed, the session says what the IdP said at sign-in.
  await page.reload();
  await expect(page.getByTestId('user-name')).toHaveText('Alice Liddell');

  await waitUntilPast(await shownExpiry(page));
  await page.reload();
  await expect(page.getByTestId('user-name')).toHaveText('Alice Kingsleigh');
  await expect(page.getByText('alice@wonderland.test')).toBeVisible();
  await expect(page.getByRole('banner')).toContainText('Alice Kingsleigh');
  const me = (await (await page.request.get(`${APP}/api/me`)).json()) as { user: { name: string; email: string } };
  expect(me.user).toMatchObject({ name: 'Alice Kingsleigh', email: 'alice@wonderland.test' });
  expect((await controls.stats()).token.refresh_token ?? 0).toBeGreaterThan(renewalsBefore);
  expect((await auditEvents('profile_updated')).map((event) => event.reason)).toContain('name, email');
});

test('"Sign out of all other sessions" with an old sign-in: IdP login, back, done; this session lives on, one refresh chain', async ({ browser }) => {
  const phone = await device(browser);
  const laptop = await device(browser);
  await outlastStepUpMaxAge();

  await laptop.goto(`${APP}/sessions`);
  await expect(laptop.getByTestId('step-up-hint')).toBeVisible();
  const cookieBefore = await sessionCookie(laptop.context());
  await laptop.getByRole('button', { name: 'Sign out of all other sessions' }).click();

  // max_age: the IdP asks for the password again, whatever its own session says.
  await signInAtIdp(laptop);
  await laptop.waitForURL((url) => url.origin === APP && url.pathname === '/sessions');
  // The phone's, and any other this person left open in earlier tests.
  await expect(laptop.getByTestId('sessions-status')).toHaveText(/other sessions? (was|were) signed out\./);
  expect(await sessionCookie(laptop.context())).not.toBe(cookieBefore);
  expect((await auditEvents('stepped_up')).map((event) => event.reason)).toContain('end_other_sessions');

  // The phone is out; the laptop's session goes on, and renews from the step-up's grant.
  await phone.goto(`${APP}/dashboard`);
  await expect(phone).toHaveURL(/\/signin\?/);
  await laptop.goto(`${APP}/dashboard`);
  await awayUntilExpired(laptop);
  const before = await controls.stats();
  await laptop.goto(`${APP}/dashboard`);
  await expect(laptop.getByTestId('user-name')).toHaveText('Alice Liddell');
  const after = await controls.stats();
  expect((after.token.refresh_token ?? 0) - (before.token.refresh_token ?? 0)).toBe(1);
  expect(after.reuseDetected).toBe(0);
  // A recent sign-in now: the next sensitive action needs no detour.
  await laptop.goto(`${APP}/sessions`);
  await expect(laptop.getByTestId('step-up-hint')).toHaveCount(0);
});

test('within STEP_UP_MAX_AGE of signing in, "Sign out of all other sessions" goes straight through', async ({ browser }) => {
  const phone = await device(browser);
  const laptop = await device(browser);
  const visits = idpVisits(laptop);
  await laptop.goto(`${APP}/sessions`);
  await expect(laptop.getByTestId('step-up-hint')).toHaveCount(0);
  await laptop.getByRole('button', { name: 'Sign out of all other sessions' }).click();
  await expect(laptop.getByTestId('sessions-status')).toHaveText(/other sessions? (was|were) signed out\./);
  expect(visits).toEqual([]);
  await phone.goto(`${APP}/dashboard`);
  await expect(phone).toHaveURL(/\/signin\?/);
});

test('deleting a note with an old sign-in, from the server form and from the browser: confirmed at the IdP, then deleted', async ({ browser }) => {
  const page = await device(browser);
  await page.goto(`${APP}/notes`);
  for (const text of ['old note A', 'old note B']) {
    await page.getByRole('textbox', { name: 'New note', exact: true }).fill(text);
    await page.getByRole('button', { name: 'Add note' }).click();
    await expect(page.getByTestId('notes-status')).toHaveText('Note added.');
  }
  await outlastStepUpMaxAge();
  await page.reload();
  await expect(page.getByTestId('step-up-hint')).toBeVisible();

  // The server's form: a server action keeps the delete and redirects to the IdP.
  await page.getByTestId('server-notes').getByRole('button', { name: 'Delete note: old note A' }).click();
  await signInAtIdp(page);
  await page.waitForURL((url) => url.origin === APP && url.pathname === '/notes');
  await expect(page.getByTestId('notes-status')).toHaveText('Note deleted.');
  await expect(page.getByTestId('server-notes')).not.toContainText('old note A');

  // The browser's list: the BFF answers 403 step_up_required, and the page follows it.
  await outlastStepUpMaxAge();
  await page.reload();
  await page.getByTestId('api-notes').getByRole('button', { name: 'Delete note: old note B' }).click();
  await signInAtIdp(page);
  await page.waitForURL((url) => url.origin === APP && url.pathname === '/notes');
  await expect(page.getByTestId('notes-status')).toHaveText('Note deleted.');
  await expect(page.getByTestId('server-notes')).not.toContainText('old note B');
});

test('a step-up cancelled at the IdP does nothing and signs no one out', async ({ browser }) => {
  const phone = await device(browser);
  const laptop = await device(browser);
  await outlastStepUpMaxAge();
  await laptop.goto(`${APP}/sessions`);
  await laptop.getByRole('button', { name: 'Sign out of all other sessions' }).click();
  await laptop.getByRole('button', { name: 'Cancel' }).click();
  await laptop.waitForURL((url) => url.origin === APP && url.pathname === '/sessions');
  await expect(laptop.getByTestId('sessions-status')).toHaveText(/cancelled at your identity provider, so nothing was done/);
  await expect(laptop.getByTestId('sessions')).toBeVisible();
  await phone.goto(`${APP}/dashboard`);
  await expect(phone.getByTestId('user-name')).toHaveText('Alice Liddell');
});

test('with STEP_UP_ACR=mfa, a recent password sign-in is not enough: the IdP asks for the one-time code too, then the action is done', async ({ browser }) => {
  await stack.restartApp({ STEP_UP_ACR: 'mfa' });
  const phone = await device(browser);
  const laptop = await device(browser);
  await laptop.goto(`${APP}/sessions`);
  await expect(laptop.getByTestId('step-up-hint')).toBeVisible();
  await laptop.getByRole('button', { name: 'Sign out of all other sessions' }).click();

  // prompt=login: the IdP asks again although its session is seconds old, with the code this time.
  await laptop.getByLabel('Username').fill('alice');
  await laptop.getByLabel('Password').fill('password');
  await laptop.getByLabel('One-time code').fill('123456');
  await laptop.getByRole('button', { name: 'Sign in' }).click();
  await laptop.waitForURL((url) => url.origin === APP && url.pathname === '/sessions');
  await expect(laptop.getByTestId('sessions-status')).toHaveText(/other sessions? (was|were) signed out\./);
  await expect(laptop.getByTestId('step-up-hint')).toHaveCount(0);
  await phone.goto(`${APP}/dashboard`);
  await expect(phone).toHaveURL(/\/signin\?/);
});
