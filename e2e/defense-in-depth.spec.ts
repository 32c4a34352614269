import { expect, test } from '@playwright/test';
import { idp, sessionCookie, signIn } from './helpers';
import { type Instance, startInstance } from './instances';
import { APP_URL, SESSION_END_HEARD_MS } from './settings';

// Next.js's own guidance since the proxy-bypass advisory (CVE-2025-29927): check the
// session close to the data. An instance with the proxy switched off (RENEWAL_PROXY=off)
// shows that pages still render nothing for a session that is not valid.
test.describe.configure({ mode: 'serial' });

let unproxied: Instance;
test.beforeAll(async () => {
  // Whatever fault an earlier spec left the IdP in, this one needs it answering.
  await idp.reset();
  unproxied = await startInstance(3105, { RENEWAL_PROXY: 'off' });
});
test.afterAll(async () => {
  await unproxied.kill();
});

const pages = ['/dashboard', '/notes'];

test('with the proxy off, pages refuse anonymous, forged and signed-out sessions by themselves', async ({ page, context }) => {
  for (const path of pages) {
    await page.goto(`${unproxied.url}${path}`);
    await expect(page).toHaveURL(new RegExp(`/signin\\?returnTo=${encodeURIComponent(path)}&reason=signin$`));
  }

  // Plant cookies from a blank page: app pages prefetch and renew through the proxy by themselves.
  await page.goto('about:blank');
  await context.addCookies([{ name: 'renewal-session', value: 'Fe26.2*1*forged*x*y*z*1*2*3~2', url: APP_URL }]);
  for (const path of pages) {
    await page.goto(`${unproxied.url}${path}`);
    await expect(page).toHaveURL(/reason=invalid$/);
    await expect(page.getByTestId('user-name')).toHaveCount(0);
  }

  await context.clearCookies();
  await signIn(page);
  const cookie = (await sessionCookie(context))!;
  await page.goto(`${unproxied.url}/dashboard`);
  await expect(page.getByTestId('user-name')).toBeVisible(); // a valid session renders
  await page.goto('/dashboard');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/^http:\/\/localhost:3100\/(\?state=[\w-]+)?$/);
  // The unproxied instance saw this session a moment ago and cached its verdict, until it
  // hears of the sign-out.
  await page.waitForTimeout(SESSION_END_HEARD_MS);
  await page.goto('about:blank');
  await context.addCookies([{ name: 'renewal-session', value: cookie, url: APP_URL }]);
  for (const path of pages) {
    await page.goto(`${unproxied.url}${path}`);
    await expect(page).toHaveURL(/reason=revoked$/);
  }
});
