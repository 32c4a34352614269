import { expect, test } from '../fixtures';

test('past its access token\'s life, the dashboard renews the session with one refresh', async ({ signedIn, idp }) => {
  const { page } = signedIn;
  await page.goto('/dashboard');
  await expect(page.getByTestId('user-name')).toHaveText('Alice Liddell');
  const version = Number(await page.getByTestId('token-version').textContent());

  await idp.waitForExpiry(page);
  await page.goto('/dashboard');

  await expect(page.getByTestId('token-version')).toHaveText(String(version + 1));
  expect((await idp.stats()).token.refresh_token).toBe(1);
});

test('a grant revoked at the IdP sends the person to sign in at the next renewal', async ({ signedIn, idp }) => {
  const { page } = signedIn;
  await idp.waitForExpiry(page);
  await idp.revoke('alice');

  await page.goto('/notes');

  await expect(page).toHaveURL(/\/signin\?returnTo=%2Fnotes&reason=refresh_failed$/);
  expect((await idp.stats()).tokenErrors).toEqual({ 'refresh_token:invalid_grant': 1 });
});
