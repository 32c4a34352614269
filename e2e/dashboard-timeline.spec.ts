import { expect, test } from '@playwright/test';
import { idp, shownExpiry, signIn, waitUntilPast } from './helpers';

test.beforeEach(async () => {
  await idp.reset();
});

test('the dashboard charts the session, described in words, and redraws it as the session renews by itself', async ({ page }) => {
  await signIn(page);
  const chart = page.getByRole('img', { name: 'Session timeline' });
  const timeline = page.getByTestId('timeline');
  const tokens = page.getByTestId('timeline-token');
  const renewals = page.locator('[data-testid="timeline-event"][data-kind="renewal"]');
  await expect(chart).toBeVisible();
  await expect(timeline).toHaveAttribute('data-token-version', '0');
  await expect(tokens).toHaveCount(1);
  await expect(tokens.first()).toHaveAttribute('data-current', 'true');
  await expect(page.locator('[data-testid="timeline-event"][data-kind="sign_in"]')).toHaveCount(1);
  await expect(renewals).toHaveCount(0);
  await expect(chart).toHaveAccessibleDescription(/^1 access token from .* The current one was issued at .* Events: 1 sign-in, 0 renewals, 0 adoptions, 0 failures, 0 ends;/);
  await expect(page.getByRole('table', { name: 'Recent session events' })).toContainText('sign_in');

  // The countdown refreshes the page at expiry; the proxy renews, and the chart is drawn anew.
  await waitUntilPast(await shownExpiry(page));
  await expect(timeline).toHaveAttribute('data-token-version', '1');
  await expect(tokens).toHaveCount(2);
  await expect(renewals).toHaveCount(1);
  await expect(chart).toHaveAccessibleDescription(/Events: 1 sign-in, 1 renewal, 0 adoptions, 0 failures, 0 ends;.*Earlier tokens' expiries are estimated/);
  expect((await idp.stats()).token.refresh_token).toBe(1);
});
