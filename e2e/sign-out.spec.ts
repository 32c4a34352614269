import { expect, type Page, test } from '@playwright/test';
import { sessionCookie, signIn, signInAtIdp } from './helpers';

/** What the home page shows when it does not claim anything about a sign-out. */
async function expectOrdinaryHome(page: Page): Promise<void> {
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Renewal');
  await expect(page.getByText('You are signed out')).toHaveCount(0);
}

test('signing out lands on a page that says so; the same page with a forged or no state does not', async ({ page, context }) => {
  await signIn(page);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/^http:\/\/localhost:3100\/\?state=[\w-]+$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('You are signed out');
  await expect(page.getByRole('link', { name: 'Sign in again' })).toHaveAttribute('href', '/auth/login?returnTo=%2Fdashboard');
  expect(await sessionCookie(context)).toBeUndefined();
  const returned = new URL(page.url()).searchParams.get('state')!;

  for (const forged of ['/?state=x', `/?state=${returned.slice(0, -1)}${returned.endsWith('A') ? 'B' : 'A'}`, '/', `/?state=${returned}&state=${returned}`]) {
    const response = await page.goto(forged);
    expect(response?.status(), forged).toBe(200);
    await expectOrdinaryHome(page);
  }

  // Signing in again from there; afterwards the old return link claims nothing.
  await page.goto(`/?state=${returned}`);
  await page.getByRole('link', { name: 'Sign in again' }).click();
  await signInAtIdp(page);
  await page.waitForURL((url) => url.pathname === '/dashboard');
  await expect(page.getByTestId('user-name')).toBeVisible();
  await page.goto(`/?state=${returned}`);
  await expectOrdinaryHome(page);
});

test('a browser that never signed out is not told it did, whatever state the link carries', async ({ page, context }) => {
  const response = await page.goto('/?state=x');
  expect(response?.status()).toBe(200);
  await expectOrdinaryHome(page);
  expect((await context.cookies()).map((cookie) => cookie.name)).toEqual([]);
});

test('with JavaScript off, signing out (confirmed at the IdP) lands on the signed-out page', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signIn(page, '/dashboard', 'bob');
  await page.getByRole('button', { name: 'Sign out' }).click();
  // The dev IdP confirms by script; without one, the person presses its button.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/^http:\/\/localhost:3100\/\?state=[\w-]+$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('You are signed out');
  await context.close();
});

test('sign-out without a session still ends on the sign-in page that says so, and leaves no state behind', async ({ page, context }) => {
  await page.goto('/');
  const response = await page.request.post('/auth/logout', { headers: { Origin: 'http://localhost:3100' }, maxRedirects: 0 });
  expect(response.status()).toBe(303);
  expect(response.headers().location).toBe('http://localhost:3100/signin?reason=signed_out');
  expect(response.headers()['set-cookie'] ?? '').not.toContain('renewal-signout');
  expect((await context.cookies()).map((cookie) => cookie.name)).not.toContain('renewal-signout');
});
