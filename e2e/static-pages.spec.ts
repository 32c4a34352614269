import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { signIn } from './helpers';

// The public pages cost what a static page costs (issue 18): the build prerenders them, and
// the server answers every request from that prerender, signed in or not. What depends on
// the request is read in the browser (the header, the home page's button, the sign-in
// page's reason and returnTo), or, for sign-out's return, rendered at /sign-out-return.

const STATIC_PAGES = ['/', '/signin'];

/** Served from the build's prerender, not rendered for this request. */
async function expectPrerendered(response: { headers(): Record<string, string> } | null, path: string): Promise<void> {
  expect(response?.headers()['x-nextjs-cache'], `${path} was rendered for the request`).toBe('HIT');
}

test('the home and sign-in pages are prerendered by the build', () => {
  const manifest = JSON.parse(readFileSync('.next/prerender-manifest.json', 'utf8')) as { routes: Record<string, unknown> };
  expect(Object.keys(manifest.routes)).toEqual(expect.arrayContaining(STATIC_PAGES));
});

test('signed in, the same static pages: the button and the header say who it is', async ({ page }) => {
  await signIn(page);
  for (const path of [...STATIC_PAGES, '/signin?reason=expired&returnTo=%2Fnotes']) await expectPrerendered(await page.request.get(path), path);
  await page.goto('/');
  await expect(page.getByRole('main').getByRole('link', { name: 'Go to your dashboard' })).toBeVisible();
  await expect(page.getByRole('main').getByRole('link', { name: 'Sign in' })).toHaveCount(0);
  await expect(page.getByTestId('header-name')).toHaveText('Alice Liddell');
});

test("the sign-in page reads its reason and returnTo in the browser; a reason it does not know, or the table's own properties, say nothing", async ({ page }) => {
  const response = await page.goto('/signin?returnTo=%2Fnotes%3Fx%3D1&reason=revoked');
  await expectPrerendered(response, '/signin');
  await expect(page.getByTestId('reason')).toContainText('Your session was ended');
  await expect(page.locator('form[action="/auth/login"] input[name="returnTo"]')).toHaveValue('/notes?x=1');
  for (const reason of ['nonsense', 'constructor', '__proto__', 'toString']) {
    await page.goto(`/signin?reason=${reason}`);
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
    await expect(page.getByTestId('reason')).toHaveCount(0);
  }
});

test('without JavaScript, sign-in from the static sign-in page still returns to the page asked for', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signIn(page, '/notes?from=js-off', 'bob');
  expect(new URL(page.url()).search).toBe('?from=js-off');
  await context.close();
});

test('/sign-out-return asked for directly, with no sign-out behind it, is the home page', async ({ page }) => {
  const response = await page.goto('/sign-out-return?state=x');
  expect(response?.status()).toBe(200);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Renewal');
  await expect(page.getByText('You are signed out')).toHaveCount(0);
});
