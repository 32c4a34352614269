import { expect, test } from '@playwright/test';
import { auditEvents, idp, sessionCookie, signInAtIdp } from './helpers';
import { APP_URL } from './settings';

test.beforeEach(async () => {
  await idp.reset();
});

test('a callback with a parameter sent twice is refused with 400', async ({ request }) => {
  const response = await request.get('/auth/callback?code=a&state=x&state=y', { maxRedirects: 0 });
  expect(response.status()).toBe(400);
});

test('a callback without state, or with a state no sign-in started, opens no session', async ({ page, context }) => {
  await page.goto('/auth/callback?code=abc');
  await expect(page).toHaveURL(/\/signin\?reason=callback_failed$/);
  await page.goto('/auth/callback?code=abc&state=never-issued');
  await expect(page).toHaveURL(/\/signin\?reason=signin_expired$/);
  await expect(page.getByTestId('reason')).toContainText('expired or was already used');
  expect(await sessionCookie(context)).toBeUndefined();
});

test('the person cancelling at the IdP (access_denied) is explained, and no session is opened', async ({ page, context }) => {
  await page.goto('/auth/login?returnTo=/dashboard');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page).toHaveURL(/\/signin\?reason=access_denied&returnTo=%2Fdashboard$/);
  await expect(page.getByTestId('reason')).toHaveText('Sign-in was cancelled or refused at the identity provider.');
  expect(await sessionCookie(context)).toBeUndefined();
});

test('a replayed callback URL opens no second session; state is single-use', async ({ page, context }) => {
  let callbackUrl = '';
  page.on('request', (request) => {
    if (request.url().startsWith(`${APP_URL}/auth/callback`)) callbackUrl = request.url();
  });
  await page.goto('/auth/login?returnTo=/dashboard');
  await signInAtIdp(page);
  await expect(page.getByTestId('user-name')).toBeVisible();
  const signIns = (await auditEvents('sign_in')).length;
  const cookie = await sessionCookie(context);

  await page.goto(callbackUrl);
  await expect(page).toHaveURL(/\/signin\?reason=signin_expired$/);
  expect((await auditEvents('sign_in')).length).toBe(signIns);
  expect(await sessionCookie(context)).toBe(cookie);
  expect((await idp.stats()).token.authorization_code).toBe(1);
});

test('returnTo pointing off-site is replaced by the home page', async ({ page }) => {
  await page.goto('/auth/login?returnTo=https://evil.example/steal');
  await signInAtIdp(page);
  await expect(page).toHaveURL(`${APP_URL}/`);
});

test('a session cookie planted before sign-in is replaced by a freshly minted one', async ({ page, context }) => {
  await page.goto('/auth/login?returnTo=/dashboard');
  await signInAtIdp(page);
  await expect(page.getByTestId('user-name')).toBeVisible();
  const first = await sessionCookie(context);
  // Sign in again in the same browser, as a person whose cookie someone planted would.
  await page.goto('/auth/login?returnTo=/dashboard');
  await expect(page.getByTestId('user-name')).toBeVisible();
  const second = await sessionCookie(context);
  expect(second).not.toBe(first);
  const ids = (await auditEvents('sign_in')).slice(-2).map((event) => event.sessionId);
  expect(new Set(ids).size).toBe(2);
});
