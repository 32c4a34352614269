import AxeBuilder from '@axe-core/playwright';
import { type Browser, type BrowserContext, type BrowserContextOptions, expect, type Page, test } from '@playwright/test';
import { auditEvents, idp, sessionCookie, signIn } from './helpers';
import { type Instance, startInstance } from './instances';
import { APP_URL, IDP_URL, SESSION_END_HEARD_MS } from './settings';

// A person's sessions on several "devices" (browser contexts), served by two instances:
// what the sessions page shows, signing sessions out from it, and sign-out at the IdP
// reaching the app (OIDC Back-Channel Logout).
test.describe.configure({ mode: 'serial' });

let other: Instance;
test.beforeAll(async () => {
  other = await startInstance(3106);
});
test.afterAll(async () => {
  await other.kill();
});
test.beforeEach(async () => {
  await idp.reset();
});

interface Device {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Its session cookie, to present again after a refusal has cleared it. */
  readonly cookie: string;
  /** Presents the device's cookie again (a refusal clears it) and opens `url`. */
  visit(url: string): Promise<unknown>;
}

/**
 * A browser signed in as `username`, parked on a blank page: app pages renew and prefetch
 * through the proxy by themselves, which would race the requests a test makes.
 */
async function device(browser: Browser, username: string, options: BrowserContextOptions = {}): Promise<Device> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  await signIn(page, '/dashboard', username);
  const cookie = (await sessionCookie(context))!;
  await page.goto('about:blank');
  return {
    context,
    page,
    cookie,
    async visit(url) {
      await page.goto('about:blank');
      await context.addCookies([{ name: 'renewal-session', value: cookie, url: APP_URL }]);
      return page.goto(url);
    },
  };
}

/** A phone's Safari, so two devices of one person differ the way a laptop and a phone do. */
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';

/** Whether the page scrolls sideways: what a reader on a narrow screen should never have to do. */
const scrollsSideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);

/** WCAG 2.1 A and AA by axe, as e2e/accessibility.spec.ts checks every page. */
async function expectNoSeriousViolations(page: Page): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const serious = violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical').map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
  expect(serious, `axe on ${page.url()}`).toEqual([]);
}

/** Waits until every instance has heard of the sessions just ended. */
const endsHeard = (page: Page) => page.waitForTimeout(SESSION_END_HEARD_MS);

test('the sessions page tells a laptop from a phone, marks this device, shows local times, and signs the phone out on every instance', async ({ browser }) => {
  const laptop = await device(browser, 'soak-901', { timezoneId: 'America/New_York', locale: 'en-US' });
  const phone = await device(browser, 'soak-901', { userAgent: IPHONE });
  // The phone is served by the other instance, which now has its session's verdict cached.
  await phone.page.goto(`${other.url}/dashboard`);
  await expect(phone.page.getByTestId('user-name')).toBeVisible();
  await phone.page.goto('about:blank');

  await laptop.page.goto('/sessions');
  const rows = laptop.page.getByTestId('sessions').locator('tbody tr');
  await expect(rows).toHaveCount(2);
  const here = laptop.page.locator('tr[data-current="true"]');
  const there = laptop.page.locator('tr[data-current="false"]');
  await expect(here.getByRole('cell').first()).toHaveText(/^Headless Chrome \d+ on LinuxThis device$/);
  await expect(there.getByRole('cell').first()).toHaveText('Safari 17 on iPhone');
  // In the reader's time zone (New York's, in December), with how long ago; never raw event names.
  await expect(here.locator('td[data-label="Signed in"]')).toHaveText(/^[A-Z][a-z]{2}\s\d{1,2},\s\d{1,2}:\d{2}\s[AP]M\sEST$/);
  await expect(here.locator('td[data-label="Last active"]')).toContainText(/EST(now|\d+ seconds? ago)$/);
  await expect(there.locator('td[data-label="Latest event"]')).toHaveText(/^(Signed in|Renewed.*)(now|\d+ seconds? ago)$/);
  await expect(laptop.page.getByTestId('sessions')).not.toContainText(/UTC|_/);

  // Laid out: a row's button on one line, the bulk button clear of the table.
  const rowButton = there.getByRole('button', { name: /^Sign out Safari 17 on iPhone, signed in / });
  expect((await rowButton.boundingBox())!.height).toBeLessThan(44);
  const table = (await laptop.page.getByTestId('sessions').boundingBox())!;
  const bulk = (await laptop.page.getByRole('button', { name: 'Sign out of all other sessions' }).boundingBox())!;
  expect(bulk.y - (table.y + table.height)).toBeGreaterThanOrEqual(16);

  await rowButton.click();
  await expect(laptop.page.getByTestId('sessions-status')).toContainText('That session is signed out');
  await expect(laptop.page.getByTestId('sessions-status')).toHaveClass('notice success');
  await expect(rows).toHaveCount(1);
  expect((await idp.stats()).revocation).toBe(1);
  expect((await auditEvents('ended_elsewhere')).length).toBeGreaterThan(0);

  await endsHeard(phone.page);
  for (const url of [`${other.url}/dashboard`, '/dashboard']) {
    await phone.visit(url);
    await expect(phone.page).toHaveURL(/\/signin\?returnTo=%2Fdashboard&reason=revoked$/);
  }
  await laptop.page.goto('/dashboard');
  await expect(laptop.page.getByTestId('user-name')).toBeVisible();
  await Promise.all([laptop.context.close(), phone.context.close()]);
});

test('two devices with the same browser are told apart by "This device", and at 390 px wide each session is a card with nothing scrolling sideways', async ({ browser }) => {
  const phone = await device(browser, 'soak-906', { viewport: { width: 390, height: 844 } });
  const laptop = await device(browser, 'soak-906');
  await phone.page.goto('/sessions');
  const rows = phone.page.getByTestId('sessions').locator('tbody tr');
  await expect(rows).toHaveCount(2);
  await expect(phone.page.getByText('This device')).toHaveCount(1);
  await expect(phone.page.locator('tr[data-current="true"]')).toContainText('This device');
  await expect(rows.first()).toHaveCSS('display', 'block');
  expect(await scrollsSideways(phone.page)).toBe(false);
  await expectNoSeriousViolations(phone.page);

  // A second tab, opened before, still offers to sign the laptop out.
  const staleTab = await phone.context.newPage();
  await staleTab.goto('/sessions');
  await phone.page.locator('tr[data-current="false"]').getByRole('button', { name: /^Sign out/ }).click();
  await expect(phone.page.getByTestId('sessions-status')).toHaveText(/^That session is signed out/);
  await expect(phone.page.getByTestId('sessions-status')).toHaveClass('notice success');
  expect(await scrollsSideways(phone.page)).toBe(false);
  await expectNoSeriousViolations(phone.page);

  await staleTab.locator('tr[data-current="false"]').getByRole('button', { name: /^Sign out/ }).click();
  await expect(staleTab.getByTestId('sessions-status')).toHaveText('That session had already ended.');
  await expect(staleTab.getByTestId('sessions-status')).toHaveClass('notice info');
  await expect(staleTab.getByTestId('sessions-status')).toHaveAttribute('role', 'status');
  await Promise.all([phone.context.close(), laptop.context.close()]);
});

test('"Sign out of all other sessions" ends every other device and keeps this one', async ({ browser }) => {
  const devices = [await device(browser, 'soak-902'), await device(browser, 'soak-902'), await device(browser, 'soak-902')];
  const [here, ...elsewhere] = devices;
  await here!.page.goto('/sessions');
  await expect(here!.page.getByText('This device')).toHaveCount(1);
  await expect(here!.page.locator('tr[data-current="true"]')).toContainText('This device');
  await here!.page.getByRole('button', { name: 'Sign out of all other sessions' }).click();
  await expect(here!.page.getByTestId('sessions-status')).toContainText(/other sessions were signed out/);
  await expect(here!.page.getByTestId('sessions').locator('tbody tr')).toHaveCount(1);

  await endsHeard(here!.page);
  for (const phone of elsewhere) {
    await phone.visit(`${other.url}/dashboard`);
    await expect(phone.page).toHaveURL(/reason=revoked$/);
  }
  await here!.page.goto(`${other.url}/dashboard`);
  await expect(here!.page.getByTestId('user-name')).toBeVisible();
  await Promise.all(devices.map(({ context }) => context.close()));
});

test('signing out at the IdP (back-channel logout) ends the app session in another tab, with a reason that says so', async ({ browser }) => {
  const { context, page } = await device(browser, 'soak-903');
  const idpTab = await context.newPage();
  // The IdP's own end-session page, as another application of the same IdP session would use it.
  await idpTab.goto(`${IDP_URL}/session/end`);
  await expect.poll(async () => (await auditEvents('idp_logout')).length, { timeout: 10_000 }).toBeGreaterThan(0);

  await page.goto('/dashboard');
  await expect(page).toHaveURL(/\/signin\?returnTo=%2Fdashboard&reason=idp_logout$/);
  await expect(page.getByTestId('reason')).toContainText('signed out at your identity provider');
  // The IdP session is over too: signing in asks for the password again.
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByLabel('Username')).toBeVisible();
  await context.close();
});

test('a logout token that does not verify is refused with 400 and ends nothing', async ({ request }) => {
  const response = await request.post('/auth/backchannel-logout', { form: { logout_token: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJib2IifQ.' } });
  expect(response.status()).toBe(400);
  expect(response.headers()['cache-control']).toBe('no-store');
  expect((await response.json()).error).toBe('invalid_request');
  const none = await request.post('/auth/backchannel-logout', { form: {} });
  expect(none.status()).toBe(400);
});

test.describe('idle timeout means the person is idle', () => {
  let idle: Instance;
  test.beforeAll(async () => {
    idle = await startInstance(3107, { SESSION_IDLE_TIMEOUT: '12' });
  });
  test.afterAll(async () => {
    await idle.kill();
  });

  test('an open dashboard that only renews itself ends after the idle timeout; a person moving around stays signed in', async ({ browser }) => {
    const active = await device(browser, 'soak-904');
    const abandoned = await device(browser, 'soak-905');
    const idleBefore = (await auditEvents('rejected')).filter((event) => event.reason === 'idle').length;
    await abandoned.page.goto(`${idle.url}/dashboard`);
    // The abandoned tab keeps renewing its token by itself (background refreshes) …
    for (let i = 0; i < 6; i++) {
      await active.page.goto(`${idle.url}/dashboard`);
      await expect(active.page.getByTestId('user-name')).toBeVisible();
      await active.page.waitForTimeout(3000);
    }
    // … and is signed out as idle, while the person navigating every few seconds is not.
    // (The tab's own refresh is refused on port 3107 and redirected to APP_URL's port, a
    // different origin in this test, so the router reloads and the page may show
    // reason=signin; the audit trail says why the session ended.)
    await expect(abandoned.page).toHaveURL(/\/signin\?returnTo=%2Fdashboard&reason=/, { timeout: 15_000 });
    expect((await auditEvents('rejected')).filter((event) => event.reason === 'idle').length).toBe(idleBefore + 1);
    await active.page.goto(`${idle.url}/dashboard`);
    await expect(active.page.getByTestId('user-name')).toBeVisible();
    await Promise.all([active.context.close(), abandoned.context.close()]);
  });
});
