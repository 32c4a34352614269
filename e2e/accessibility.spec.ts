import { expectNoSeriousViolations } from './axe';
import { expect, test } from './fixtures';
import { signInAtIdp } from './helpers';

// Every page a person can reach, checked against WCAG 2.1 A and AA by axe (e2e/axe.ts).

for (const path of ['/', '/signin', '/signin?returnTo=%2Fnotes&reason=refresh_failed']) {
  test(`${path} has no serious accessibility violations`, async ({ page }) => {
    await page.goto(path);
    // The static page's parts that depend on the address or the session render in the browser.
    if (path.includes('reason=')) await expect(page.getByTestId('reason')).toBeVisible();
    await expect(page.getByTestId('account')).not.toHaveAttribute('data-state', 'checking');
    await expectNoSeriousViolations(page);
  });
}

for (const path of ['/dashboard', '/notes', '/notes?status=added', '/sessions']) {
  test(`${path}, signed in, has no serious accessibility violations`, async ({ signedIn: { page } }) => {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await expectNoSeriousViolations(page);
  });
}

test('the dev IdP\'s login page, also with an error, has no serious accessibility violations', async ({ page }) => {
  await page.goto('/auth/login?returnTo=/dashboard');
  await expect(page.getByLabel('Username')).toBeVisible();
  await expectNoSeriousViolations(page);
  await signInAtIdp(page, 'alice', 'not-the-password');
  await expect(page.getByRole('alert')).toBeVisible();
  await expectNoSeriousViolations(page);
});

test('the page after signing out has no serious accessibility violations', async ({ signedIn: { page } }) => {
  await page.goto('/dashboard');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/^http:\/\/localhost:3100\/(\?state=[\w-]+)?$/);
  await expectNoSeriousViolations(page);
});

test('the "try again" page of an unreachable IdP has no serious accessibility violations', async ({ signedIn: { page }, idp }) => {
  await idp.waitForExpiry(page);
  await idp.tokenEndpoint('fail');
  expect((await page.goto('/dashboard'))?.status()).toBe(503);
  await expectNoSeriousViolations(page);
});
