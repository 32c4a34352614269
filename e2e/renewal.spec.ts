import { expect, test } from '@playwright/test';
import { auditEvents, idp, sessionCookie, shownExpiry, signIn, signInAtIdp, waitUntilPast } from './helpers';

test.beforeEach(async () => {
  await idp.reset();
});

test('past the access-token lifetime, navigating renews once and the same response shows the new expiry', async ({ page, context }) => {
  await signIn(page);
  const firstExpiry = await shownExpiry(page);
  const firstCookie = await sessionCookie(context);
  // Leave the dashboard so its own countdown does not renew before we navigate.
  await page.goto('/');
  await waitUntilPast(firstExpiry);
  const before = await idp.stats();

  const response = await page.goto('/dashboard');
  expect(response?.status()).toBe(200);
  await expect(page).toHaveURL(/\/dashboard$/);
  const secondExpiry = await shownExpiry(page);
  expect(secondExpiry).toBeGreaterThan(firstExpiry);
  expect(secondExpiry).toBeGreaterThan(Date.now() / 1000);
  expect(await response!.headerValue('set-cookie')).toContain('renewal-session=');
  expect(await sessionCookie(context)).not.toBe(firstCookie);

  const after = await idp.stats();
  expect((after.token.refresh_token ?? 0) - (before.token.refresh_token ?? 0)).toBe(1);
  expect(after.tokenErrors).toEqual({});
  await expect(page.getByTestId('events')).toContainText('Renewed');
});

test('a person watching the dashboard sees it renew by itself, without errors', async ({ page }) => {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await signIn(page);
  await expect(page.getByTestId('remaining')).toHaveText(/^\d+ s left$/);
  const expiry = await shownExpiry(page);
  await waitUntilPast(expiry);
  await expect(page.getByTestId('token-version')).toHaveText('1');
  expect(await shownExpiry(page)).toBeGreaterThan(expiry);
  expect((await idp.stats()).token.refresh_token).toBe(1);
  expect(errors).toEqual([]);
});

test('a burst of parallel requests with one expired cookie causes one refresh, and all succeed', async ({ page }) => {
  await signIn(page);
  const expiry = await shownExpiry(page);
  await page.goto('/');
  await waitUntilPast(expiry);

  const responses = await Promise.all(Array.from({ length: 25 }, () => page.request.get('/api/me')));
  expect(responses.map((r) => r.status())).toEqual(Array(25).fill(200));
  const bodies = await Promise.all(responses.map((r) => r.json()));
  expect(new Set(bodies.map((b) => b.session.tokenVersion))).toEqual(new Set([1]));
  let stats = await idp.stats();
  expect(stats.token.refresh_token).toBe(1);
  expect(stats.tokenErrors).toEqual({});

  // The grant still works: the next expiry renews again, without any reuse detected.
  const renewed = bodies[0].session.expiresAt as number;
  await waitUntilPast(renewed);
  await page.goto('/dashboard');
  await expect(page.getByTestId('token-version')).toHaveText('2');
  stats = await idp.stats();
  expect(stats.token.refresh_token).toBe(2);
  expect(stats.tokenErrors).toEqual({});
});

test('a grant revoked at the IdP sends the person to sign in, and back to the same page after', async ({ page }) => {
  await signIn(page, '/dashboard?view=events');
  const expiry = await shownExpiry(page);
  await page.goto('/');
  await idp.revoke('alice');
  await waitUntilPast(expiry);

  await page.goto('/dashboard?view=events');
  await expect(page).toHaveURL(/\/signin\?returnTo=%2Fdashboard%3Fview%3Devents&reason=refresh_failed$/);
  await expect(page.getByTestId('reason')).toContainText('no longer accepts this session');
  expect((await auditEvents('refresh_failed')).at(-1)?.reason).toBe('invalid_grant');
  expect((await auditEvents('rejected')).at(-1)?.reason).toBe('refresh_failed');

  await page.getByRole('button', { name: 'Sign in' }).click();
  await signInAtIdp(page);
  await expect(page).toHaveURL(/\/dashboard\?view=events$/);
  await expect(page.getByTestId('user-name')).toHaveText('Alice Liddell');
});

test('IdP down with an expired token: a "try again" page, the session kept, and renewal once it is back', async ({ page, context }) => {
  await signIn(page);
  const expiry = await shownExpiry(page);
  const cookie = await sessionCookie(context);
  await page.goto('/');
  await idp.tokenEndpoint('fail');
  await waitUntilPast(expiry);

  const response = await page.goto('/dashboard');
  expect(response?.status()).toBe(503);
  await expect(page.getByRole('heading', { name: 'Try again in a moment' })).toBeVisible();
  expect(await sessionCookie(context)).toBe(cookie);
  const api = await page.request.get('/api/me');
  expect(api.status()).toBe(503);
  expect(await api.json()).toEqual({ error: 'unavailable', reason: 'idp_unavailable' });

  await idp.tokenEndpoint('ok');
  // Transient failures back off for a moment before the IdP is asked again.
  await page.waitForTimeout(2100);
  await page.getByRole('link', { name: 'Try again' }).click();
  await expect(page.getByTestId('user-name')).toBeVisible();
  await expect(page.getByTestId('token-version')).toHaveText('1');
});
