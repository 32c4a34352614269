import { expect, test } from '@playwright/test';
import Database from 'better-sqlite3';
import { auditEvents, idp, sessionCookie, shownExpiry, signIn, signInAtIdp, waitUntilPast } from './helpers';
import { APP_URL, E2E_DATABASE_FILE, E2E_DATABASE_URL } from './settings';

// Faults a person must come through still signed in (or told plainly what happened).
test.describe.configure({ mode: 'serial' });

test.beforeEach(async () => {
  await idp.reset();
});

test('a lost refresh response (the IdP rotated, the answer never came): no reuse at the IdP, the page re-authenticates silently', async ({ page }) => {
  await signIn(page);
  const expiry = await shownExpiry(page);
  await page.goto('/');
  await waitUntilPast(expiry);
  await idp.tokenEndpoint('lose');

  const visited: string[] = [];
  page.on('request', (request) => visited.push(new URL(request.url()).pathname));
  const response = await page.goto('/dashboard');
  expect(response?.status()).toBe(200);
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId('user-name')).toHaveText('Alice Liddell');
  expect(visited).toContain('/auth/callback');
  expect(visited).not.toContain('/signin');

  const stats = await idp.stats();
  expect(stats.faults.lost).toBe(1);
  expect(stats.reuseDetected).toBe(0);
  expect(stats.tokenErrors).toEqual({});
  expect((await auditEvents('refresh_lost')).at(-1)?.reason).toBe('refresh_token_inactive');
  expect(await auditEvents('reauthenticated')).not.toHaveLength(0);

  // The re-authenticated session renews as usual.
  await idp.tokenEndpoint('ok');
  const next = await shownExpiry(page);
  await page.goto('/');
  await waitUntilPast(next);
  await page.goto('/dashboard');
  await expect(page.getByTestId('user-name')).toBeVisible();
  expect((await idp.stats()).tokenErrors).toEqual({});
});

test('a silent re-authentication during an IdP outage says "try again" and keeps the session', async ({ page, context }) => {
  await signIn(page);
  const expiry = await shownExpiry(page);
  await page.goto('/');
  await waitUntilPast(expiry);
  await idp.tokenEndpoint('lose');
  // An API call finds the refresh token lost and asks the page to re-authenticate.
  const api = await page.request.get('/api/me');
  expect(api.status()).toBe(401);
  expect(await api.json()).toEqual({ error: 'unauthorized', reason: 'reauthenticate' });
  const cookie = await sessionCookie(context);
  expect(cookie).toBeTruthy();

  await idp.tokenEndpoint('fail');
  const response = await page.goto('/dashboard');
  expect(response?.status()).toBe(503);
  await expect(page.getByRole('heading', { name: 'Try again in a moment' })).toBeVisible();
  expect(await sessionCookie(context)).toBe(cookie);

  await idp.tokenEndpoint('ok');
  await page.getByRole('link', { name: 'Try again' }).click();
  await expect(page.getByTestId('user-name')).toHaveText('Alice Liddell');
  expect((await idp.stats()).reuseDetected).toBe(0);
});

test('signing in again replaces the session: the old one is ended, and an answer about the old cookie does not clear the new one', async ({ page, context }) => {
  await signIn(page);
  const oldCookie = (await sessionCookie(context))!;
  await page.goto('/auth/login?returnTo=/dashboard');
  // The IdP still knows alice: no form, straight back.
  await expect(page.getByTestId('user-name')).toBeVisible();
  const newCookie = (await sessionCookie(context))!;
  expect(newCookie).not.toBe(oldCookie);
  expect((await auditEvents('replaced')).at(-1)?.reason).toBe('replaced');

  const stale = await page.request.get('/api/me', { headers: { cookie: `renewal-session=${oldCookie}` } });
  expect(stale.status()).toBe(401);
  expect((await stale.json()).reason).toBe('superseded');
  expect(stale.headers()['set-cookie']).toBeUndefined();
  expect(await sessionCookie(context)).toBe(newCookie);
  expect((await page.request.get('/api/me')).status()).toBe(200);

  // Replacing the session did not revoke the grant the IdP gave both sign-ins: the new
  // session still renews.
  await waitUntilPast(await shownExpiry(page));
  const renewed = await page.request.get('/api/me');
  expect(renewed.status()).toBe(200);
  expect((await renewed.json()).session.tokenVersion).toBe(1);
  expect((await idp.stats()).tokenErrors).toEqual({});
});

/** Holds SQLite's write lock, as a database that stops answering writes would. */
function lockDatabase(): () => void {
  const sqlite = new Database(E2E_DATABASE_FILE);
  sqlite.exec('BEGIN EXCLUSIVE');
  return () => {
    sqlite.exec('ROLLBACK');
    sqlite.close();
  };
}

test.describe('the database failing mid-flow', () => {
  test.skip(!E2E_DATABASE_URL.startsWith('file:'), 'holds SQLite\'s write lock');

  test('sign-out that cannot be recorded says so, and the person stays signed in', async ({ page, context }) => {
    await signIn(page);
    const cookie = await sessionCookie(context);
    // Post the sign-out from outside the app's pages: they renew and prefetch through the
    // proxy by themselves, and with SQLite locked each of those waits out the busy timeout.
    await page.goto('about:blank');
    const unlock = lockDatabase();
    let response;
    try {
      response = await page.request.post('/auth/logout', { headers: { origin: APP_URL }, maxRedirects: 0, timeout: 30_000 });
    } finally {
      unlock();
    }
    expect(response.status()).toBe(503);
    expect(response.headers()['retry-after']).toBe('5');
    const html = await response.text();
    expect(html).toContain('Sign-out did not complete');
    expect(html).toContain('you are still signed in');
    expect(await sessionCookie(context)).toBe(cookie);

    // Once the database answers again, signing out works.
    await page.goto('/dashboard');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).not.toHaveURL(/\/dashboard/);
    expect(await sessionCookie(context)).toBeUndefined();
  });

  test('a sign-in that cannot be recorded after the code exchange says so, and trying again works', async ({ page, context }) => {
    await page.goto('/auth/login?returnTo=/dashboard');
    const unlock = lockDatabase();
    try {
      await signInAtIdp(page, 'bob');
      await expect(page.getByRole('heading', { name: 'Sign-in could not be completed' })).toBeVisible({ timeout: 20_000 });
    } finally {
      unlock();
    }
    expect(await sessionCookie(context)).toBeUndefined();
    await page.getByRole('link', { name: 'Try again' }).click();
    await expect(page.getByTestId('user-name')).toHaveText('Bob Builder');
    expect(new URL(page.url()).origin).toBe(APP_URL);
  });
});
