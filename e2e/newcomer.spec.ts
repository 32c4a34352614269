import { type Browser, type BrowserContext, expect, type Page, test, type TestInfo } from '@playwright/test';
import { expectNoSeriousViolations } from './axe';
import { idp, shownExpiry, signIn, signInAtIdp, waitUntilPast } from './helpers';

// A newcomer's first ten minutes, as one walk through the app at desktop and at phone size:
// home → sign in → the dashboard across a renewal → add and delete a note → sessions in two
// browsers → one signs the other out → that one's header follows → unknown URLs → sign out.
// Every page is checked by axe and photographed into the HTML report, and no page may log
// a console error.

const SIZES = [
  { name: 'desktop', viewport: { width: 1280, height: 800 }, isMobile: false },
  { name: 'phone', viewport: { width: 390, height: 844 }, isMobile: true },
] as const;

/** Console errors and uncaught exceptions of every page of `context`, except the 404s the walk asks for. */
function collectErrors(context: BrowserContext, expected404s: readonly string[]): string[] {
  const errors: string[] = [];
  context.on('page', (page) => watch(page));
  const watch = (page: Page) => {
    page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const asked404 = message.text().includes('404') && expected404s.some((path) => message.location().url.endsWith(path));
      if (!asked404) errors.push(`${page.url()}: ${message.text()}`);
    });
  };
  for (const page of context.pages()) watch(page);
  return errors;
}

/** axe (WCAG 2.1 AA, serious and critical), no sideways scroll, and a screenshot in the report, for the page as it is now. */
async function checkPage(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await expectNoSeriousViolations(page);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `${name} scrolls sideways`).toBeLessThanOrEqual(0);
  await testInfo.attach(name, { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });
}

async function newDevice(browser: Browser, size: (typeof SIZES)[number]): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: size.viewport, isMobile: size.isMobile, hasTouch: size.isMobile });
  return { context, page: await context.newPage() };
}

const header = (page: Page) => page.getByRole('banner');

for (const size of SIZES) {
  test(`a newcomer's first ten minutes (${size.name})`, async ({ browser }, testInfo) => {
    test.setTimeout(180_000);
    await idp.reset();
    const unknown = `/no-such-page-${size.name}`;
    const laptop = await newDevice(browser, size);
    const errors = collectErrors(laptop.context, [unknown]);
    const { page } = laptop;

    // Home: what Renewal is, and one "Sign in" that goes straight to the IdP.
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 2, name: 'Things to try' })).toBeVisible();
    await expect(header(page).getByRole('link', { name: 'Sign in', exact: true })).toBeVisible();
    await checkPage(page, testInfo, `${size.name} 1 home`);
    await page.getByRole('main').getByRole('link', { name: 'Sign in', exact: true }).click();
    await signInAtIdp(page);
    await page.waitForURL((url) => url.pathname === '/dashboard');
    await expect(header(page).getByTestId('header-name')).toHaveText('Alice Liddell');
    await checkPage(page, testInfo, `${size.name} 2 dashboard`);

    // The access token renews by itself while the dashboard is open.
    const version = Number(await page.getByTestId('token-version').textContent());
    await waitUntilPast(await shownExpiry(page), 1500);
    await expect.poll(async () => Number(await page.getByTestId('token-version').textContent()), { timeout: 20_000 }).toBeGreaterThan(version);
    await checkPage(page, testInfo, `${size.name} 3 dashboard after a renewal`);

    // Notes: add one, see it in both lists, delete it.
    const text = `first note on ${size.name}`;
    await header(page).getByRole('link', { name: 'Notes' }).click();
    await page.waitForURL((url) => url.pathname === '/notes');
    await page.getByLabel('New note', { exact: true }).fill(text);
    await page.getByRole('button', { name: 'Add note' }).click();
    await expect(page.getByTestId('notes-status')).toHaveText('Note added.');
    await expect(page.getByTestId('server-notes')).toContainText(text);
    await expect(page.getByTestId('api-notes')).toContainText(text);
    await checkPage(page, testInfo, `${size.name} 4 notes`);
    await page.getByTestId('server-notes').getByRole('button', { name: `Delete note: ${text}` }).click();
    await expect(page.getByTestId('notes-status')).toHaveText('Note deleted.');
    await expect(page.getByText(text)).toHaveCount(0);

    // Sessions: first end any left by earlier runs (the demo account is shared), then a
    // second browser signs in, and the first sees both sessions and signs the second out.
    await header(page).getByRole('link', { name: 'Sessions' }).click();
    await page.waitForURL((url) => url.pathname === '/sessions');
    const endOthers = page.getByRole('button', { name: 'Sign out of all other sessions' });
    if (await endOthers.isVisible()) {
      await endOthers.click();
      await expect(endOthers).toHaveCount(0);
    }
    const second = await newDevice(browser, size);
    const secondErrors = collectErrors(second.context, [unknown]);
    await signIn(second.page, '/notes');
    await page.reload();
    const signOutButtons = page.getByTestId('sessions').getByRole('button', { name: /^Sign out/ });
    await expect(signOutButtons).toHaveCount(1);
    await expect(page.getByTestId('sessions').getByText(/this device/i)).toBeVisible();
    await checkPage(page, testInfo, `${size.name} 5 sessions`);
    await signOutButtons.click();
    await expect(signOutButtons).toHaveCount(0);

    // The second browser, signed out remotely, moves on by a link: told why, and its header follows.
    await expect(header(second.page).getByTestId('header-name')).toHaveText('Alice Liddell');
    await header(second.page).getByRole('link', { name: 'Dashboard' }).click();
    await second.page.waitForURL((url) => url.pathname === '/signin');
    await expect(second.page.getByTestId('reason')).toContainText('ended');
    await expect(header(second.page).getByRole('link', { name: 'Sign in', exact: true })).toBeVisible();
    await expect(header(second.page).getByTestId('header-name')).toHaveCount(0);
    await checkPage(second.page, testInfo, `${size.name} 6 signed out remotely`);

    // Unknown URLs: an in-app 404, signed in and signed out.
    for (const [who, device] of [
      ['signed in', page],
      ['signed out', second.page],
    ] as const) {
      const response = await device.goto(unknown);
      expect(response?.status(), `${unknown} ${who}`).toBe(404);
      await expect(device.getByRole('heading', { level: 1 })).toHaveText('Page not found');
      await expect(device.getByRole('main').getByRole('link', { name: 'Go to the home page' })).toBeVisible();
      await checkPage(device, testInfo, `${size.name} 7 not found (${who})`);
    }

    // Sign out: back home, signed out.
    await header(page).getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('You are signed out');
    await expect(header(page).getByRole('link', { name: 'Sign in', exact: true })).toBeVisible();
    await checkPage(page, testInfo, `${size.name} 8 signed out`);

    expect([...errors, ...secondErrors], 'console errors').toEqual([]);
    await laptop.context.close();
    await second.context.close();
  });
}
