import { expect, type Page, test } from '@playwright/test';
import { idp, signIn, waitUntilPast } from './helpers';
import { IDP_URL } from './settings';

/**
 * Moving between protected pages by the header's links, across an access-token expiry:
 * one refresh, and never a sign-in page. With JavaScript on, the links navigate
 * client-side (RSC requests and prefetches, all through proxy.ts); with it off, each is a
 * plain page load.
 */

test.beforeEach(async () => {
  await idp.reset();
});

const HEADER_PAGES = {
  Dashboard: { path: '/dashboard', content: (page: Page) => page.getByTestId('user-name') },
  Notes: { path: '/notes', content: (page: Page) => page.getByTestId('server-notes') },
  Sessions: { path: '/sessions', content: (page: Page) => page.getByTestId('sessions').getByText('This device') },
} as const;

type HeaderLink = keyof typeof HEADER_PAGES;

/** Follows a header link and waits for the page's own content, which only a session shows. */
async function follow(page: Page, link: HeaderLink): Promise<void> {
  const { path, content } = HEADER_PAGES[link];
  await page.getByRole('navigation').getByRole('link', { name: link, exact: true }).click();
  await page.waitForURL((url) => url.pathname === path);
  await expect(content(page)).toBeVisible();
}

/**
 * Every sign-in page the browser shows or even fetches from now on: our /signin, the
 * start of a new sign-in, the IdP's login interaction. A prefetch or RSC request that the
 * proxy sent to sign-in is caught too (the browser follows the redirect).
 */
function signInPagesSeen(page: Page): string[] {
  const seen: string[] = [];
  const isSignIn = (raw: string) => {
    const url = new URL(raw);
    return url.pathname === '/signin' || url.pathname === '/auth/login' || (url.origin === IDP_URL && url.pathname.startsWith('/interaction'));
  };
  page.on('framenavigated', (frame) => {
    if (isSignIn(frame.url())) seen.push(`shown ${frame.url()}`);
  });
  page.on('request', (request) => {
    if (isSignIn(request.url())) seen.push(`fetched ${request.url()}`);
  });
  return seen;
}

/** The session's access-token expiry and generation, from /api/me (which renews only when due). */
async function tokenState(page: Page): Promise<{ expiresAt: number; tokenVersion: number }> {
  return (await (await page.request.get('/api/me')).json()).session;
}

async function refreshes(): Promise<number> {
  return (await idp.stats()).token.refresh_token ?? 0;
}

test('with JavaScript on, following header links across an expiry renews exactly once and never shows sign-in', async ({ page }) => {
  // Sign in to a page that does not renew by itself (the dashboard's countdown does).
  await signIn(page, '/notes');
  const seen = signInPagesSeen(page);
  const first = await tokenState(page);
  await follow(page, 'Sessions');
  // Prefetches of the header links may renew in the background once the token is due:
  // that is still the one refresh this expiry allows.
  await waitUntilPast(first.expiresAt);

  await follow(page, 'Dashboard');
  await expect(page.getByTestId('token-version')).toHaveText('1');
  const renewedUntil = Number(await page.getByTestId('expires-at').getAttribute('data-epoch'));
  await follow(page, 'Notes');
  await follow(page, 'Sessions');
  await follow(page, 'Dashboard');
  await expect(page.getByTestId('token-version')).toHaveText('1');
  const count = await refreshes();
  // The dashboard renews again when the new token expires; the count is about one expiry.
  expect(Date.now() / 1000, 'the navigations outlasted the renewed token: the machine is too slow for this check').toBeLessThan(renewedUntil);

  expect(count).toBe(1);
  expect((await idp.stats()).tokenErrors).toEqual({});
  expect(seen).toEqual([]);
});

test('with JavaScript off, plain navigations by header links across an expiry renew exactly once; every page is usable', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signIn(page, '/notes', 'bob');
  const seen = signInPagesSeen(page);
  const first = await tokenState(page);
  await expect(page.getByRole('button', { name: 'Add note' })).toBeVisible();
  await follow(page, 'Sessions');
  // Without scripts nothing renews in the background: the next click meets the expired token.
  await waitUntilPast(first.expiresAt);
  expect(await refreshes()).toBe(0);

  await follow(page, 'Dashboard');
  await expect(page.getByTestId('token-version')).toHaveText('1');
  expect(await refreshes()).toBe(1);
  await expect(page.getByRole('img', { name: 'Session timeline' })).toBeVisible();
  await expect(page.getByTestId('timeline-token')).toHaveCount(2);
  await expect(page.locator('[data-testid="timeline-event"][data-kind="renewal"]')).toHaveCount(1);
  await expect(page.getByTestId('events')).toContainText('Renewed');

  await follow(page, 'Notes');
  await expect(page.getByRole('button', { name: 'Add note' })).toBeVisible();
  await follow(page, 'Sessions');
  expect(await refreshes()).toBe(1);
  expect((await idp.stats()).tokenErrors).toEqual({});
  expect(seen).toEqual([]);
  await context.close();
});

test('the header names the person, marks the current page and offers sign-out on every page; signed out, it offers sign-in', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('banner').getByRole('link', { name: 'Sign in', exact: true })).toBeVisible();
  await expect(page.getByRole('banner').getByRole('button', { name: 'Sign out' })).toHaveCount(0);
  await signIn(page, '/notes');
  for (const [link, { path }] of Object.entries(HEADER_PAGES)) {
    await follow(page, link as HeaderLink);
    const banner = page.getByRole('banner');
    await expect(banner.getByTestId('header-name')).toHaveText('Alice Liddell');
    await expect(banner.getByRole('button', { name: 'Sign out' })).toBeVisible();
    await expect(banner.getByRole('link', { name: link, exact: true })).toHaveAttribute('aria-current', 'page');
    expect(new URL(page.url()).pathname).toBe(path);
  }
  await page.goto('/');
  await expect(page.getByRole('banner').getByTestId('header-name')).toHaveText('Alice Liddell');
  await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByTestId('signed-out')).toBeVisible();
  await expect(page.getByRole('banner').getByRole('link', { name: 'Sign in', exact: true })).toBeVisible();
});
