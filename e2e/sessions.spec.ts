import { type Browser, type BrowserContext, expect, type Page, test } from '@playwright/test';
import { auditEvents, idp, sessionCookie, signIn } from './helpers';
import { type Instance, startInstance } from './instances';
import { APP_URL, IDP_URL } from './settings';

// A person's sessions on several "devices" (browser contexts), served by two instances:
// what the sessions page shows, signing sessions out from it, and sign-out at the IdP
// reaching the app (OIDC Back-Channel Logout).
test.describe.configure({ mode: 'serial' });

const REGISTRY_CHECK_INTERVAL = 5;

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
async function device(browser: Browser, username: string): Promise<Device> {
  const context = await browser.newContext();
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

/** Waits until every instance has read the registry again (the documented bound). */
const registryInterval = (page: Page) => page.waitForTimeout((REGISTRY_CHECK_INTERVAL + 1) * 1000);

test('the sessions page lists each device, marks this one, and signs another out on every instance', async ({ browser }) => {
  const laptop = await device(browser, 'soak-901');
  const phone = await device(browser, 'soak-901');
  // The phone is served by the other instance, which now has its session's verdict cached.
  await phone.page.goto(`${other.url}/dashboard`);
  await expect(phone.page.getByTestId('user-name')).toBeVisible();
  await phone.page.goto('about:blank');

  await laptop.page.goto('/sessions');
  const rows = laptop.page.getByTestId('sessions').locator('tbody tr');
  await expect(rows).toHaveCount(2);
  await expect(laptop.page.locator('tr[data-current="true"]')).toContainText('(this session)');
  await expect(rows.first()).toContainText('Chrome on Linux');

  await laptop.page.locator('tr[data-current="false"]').getByRole('button', { name: /^Sign out/ }).click();
  await expect(laptop.page.getByTestId('sessions-status')).toContainText('That session is signed out');
  await expect(rows).toHaveCount(1);
  expect((await idp.stats()).revocation).toBe(1);
  expect((await auditEvents('ended_elsewhere')).length).toBeGreaterThan(0);

  await registryInterval(phone.page);
  for (const url of [`${other.url}/dashboard`, '/dashboard']) {
    await phone.visit(url);
    await expect(phone.page).toHaveURL(/\/signin\?returnTo=%2Fdashboard&reason=revoked$/);
  }
  await laptop.page.goto('/dashboard');
  await expect(laptop.page.getByTestId('user-name')).toBeVisible();
  await Promise.all([laptop.context.close(), phone.context.close()]);
});

test('"Sign out of all other sessions" ends every other device and keeps this one', async ({ browser }) => {
  const devices = [await device(browser, 'soak-902'), await device(browser, 'soak-902'), await device(browser, 'soak-902')];
  const [here, ...elsewhere] = devices;
  await here!.page.goto('/sessions');
  await here!.page.getByRole('button', { name: 'Sign out of all other sessions' }).click();
  await expect(here!.page.getByTestId('sessions-status')).toContainText(/other sessions were signed out/);
  await expect(here!.page.getByTestId('sessions').locator('tbody tr')).toHaveCount(1);

  await registryInterval(here!.page);
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
    const expiredBefore = (await auditEvents('rejected')).filter((event) => event.reason === 'expired').length;
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
    expect((await auditEvents('rejected')).filter((event) => event.reason === 'expired').length).toBe(expiredBefore + 1);
    await active.page.goto(`${idle.url}/dashboard`);
    await expect(active.page.getByTestId('user-name')).toBeVisible();
    await Promise.all([active.context.close(), abandoned.context.close()]);
  });
});
