import { expect, type Page, test } from '@playwright/test';
import { expectNoSeriousViolations } from './axe';
import { idp, shownExpiry, signIn, waitUntilPast } from './helpers';

test.beforeEach(async () => {
  await idp.reset();
});

/** The kinds of marks the chart draws, named as its legend names them. */
function drawnKinds(page: Page): Promise<string[]> {
  return page.getByTestId('timeline').evaluate((figure) => {
    const drawn = (selector: string) => figure.querySelector(`svg[role="img"] ${selector}`) !== null;
    const kinds = [...figure.querySelectorAll('[data-testid="timeline-event"]')].map((event) => event.getAttribute('data-kind') ?? '');
    const marks: Array<[string, boolean]> = [
      ['current_token', drawn('[data-testid="timeline-token"][data-current="true"]')],
      ['earlier_token', drawn('[data-testid="timeline-token"][data-current="false"]')],
      ['renewal_window', drawn('[data-testid="timeline-window"]')],
      ['now', drawn('[data-testid="timeline-now"]')],
    ];
    return [...new Set([...kinds, ...marks.filter(([, isDrawn]) => isDrawn).map(([kind]) => kind)])].sort();
  });
}

async function legendKinds(page: Page): Promise<string[]> {
  const keys = await page.getByTestId('timeline-legend-entry').evaluateAll((entries) => entries.map((entry) => entry.getAttribute('data-key') ?? ''));
  return keys.sort();
}

/** Where the chart's now line is, in the chart's own units. */
async function nowX(page: Page): Promise<number> {
  return Number(await page.getByTestId('timeline-now').locator('line').getAttribute('x1'));
}

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
  await expect(tokens.locator('text')).toHaveText(['generation 0']);
  await expect(page.locator('[data-testid="timeline-event"][data-kind="sign_in"]')).toHaveCount(1);
  await expect(renewals).toHaveCount(0);
  await expect(chart).toHaveAccessibleDescription(/^1 access token from .* The current one, generation 0, was issued at .* Events: 1 sign-in, 0 renewals, 0 adoptions, 0 failures, 0 ends;/);
  await expect(page.getByRole('table', { name: 'Recent session events' })).toContainText('Signed in');
  await expect(timeline.locator('figcaption')).toContainText("Each bar is one access token's life");
  await expect(page.getByTestId('timeline-scroll-hint'), 'the chart fits: nothing to scroll').toBeHidden();

  // The countdown refreshes the page at expiry; the proxy renews, and the chart is drawn anew.
  await waitUntilPast(await shownExpiry(page));
  await expect(timeline).toHaveAttribute('data-token-version', '1');
  await expect(tokens).toHaveCount(2);
  await expect(renewals).toHaveCount(1);
  // Named as the dashboard names them: "Token generation 1" is the lane "generation 1".
  await expect(page.getByTestId('token-version')).toHaveText('1');
  await expect(tokens.locator('text')).toHaveText(['generation 0', 'generation 1']);
  await expect(page.locator('[data-testid="timeline-token"][data-current="true"] text')).toHaveText('generation 1');
  // A request that set off with the old cookie as the page refreshed takes the new tokens
  // (an adoption, audited): whether one does depends on timing, not on the chart.
  await expect(chart).toHaveAccessibleDescription(/Events: 1 sign-in, 1 renewal, \d+ adoptions?, 0 failures, 0 ends;.*Earlier tokens' expiries are estimated/);
  expect((await idp.stats()).token.refresh_token).toBe(1);
});

test("the now line moves with the countdown's clock, and after a renewal stands on the new token", async ({ page }) => {
  await signIn(page);
  const version = () => page.getByTestId('timeline').getAttribute('data-token-version');
  // Two readings of one drawing: a renewal in between redraws the chart on a new scale.
  await expect(async () => {
    const before = { version: await version(), x: await nowX(page) };
    await page.waitForTimeout(2_000);
    expect(await version()).toBe(before.version);
    expect(await nowX(page)).toBeGreaterThan(before.x);
  }).toPass({ timeout: 20_000 });

  await waitUntilPast(await shownExpiry(page));
  await expect(page.getByTestId('timeline')).toHaveAttribute('data-token-version', '1');
  const bar = page.locator('[data-testid="timeline-token"][data-current="true"] rect').first();
  const start = Number(await bar.getAttribute('x'));
  const end = start + Number(await bar.getAttribute('width'));
  await expect.poll(() => nowX(page)).toBeGreaterThanOrEqual(start);
  expect(await nowX(page)).toBeLessThan(end);
});

test('the legend lists exactly the kinds of marks the chart draws', async ({ page }) => {
  await signIn(page);
  expect(await legendKinds(page)).toEqual(['current_token', 'now', 'renewal_window', 'sign_in']);
  expect(await legendKinds(page)).toEqual(await drawnKinds(page));

  await waitUntilPast(await shownExpiry(page));
  await expect(page.getByTestId('timeline')).toHaveAttribute('data-token-version', '1');
  // A request of the page may also have adopted the renewed tokens: the legend follows the chart.
  expect(await legendKinds(page)).toEqual(expect.arrayContaining(['earlier_token', 'renewal']));
  expect(await legendKinds(page)).toEqual(await drawnKinds(page));
});

test.describe('on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test('the dashboard does not scroll sideways, the chart scrolls in its own box with readable text, and axe finds nothing serious', async ({ page }) => {
    await signIn(page);
    const chart = page.getByRole('img', { name: 'Session timeline' });
    await expect(chart).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);

    const label = page.getByTestId('timeline-token').locator('text');
    await expect(label).toBeVisible();
    await expect(label).toBeInViewport();
    const shownFontPx = await label.evaluate((text) => {
      const svg = text.closest('svg')!;
      return (parseFloat(getComputedStyle(text).fontSize) * svg.getBoundingClientRect().width) / svg.viewBox.baseVal.width;
    });
    expect(shownFontPx).toBeGreaterThanOrEqual(10);
    await expect(page.getByTestId('timeline').locator('figcaption')).toBeVisible();
    await expect(page.getByTestId('timeline-scroll-hint')).toBeVisible();

    // Nothing runs out of its card (a long email, say), but the chart inside its scrolling box.
    const overflowing = await page.evaluate(() => {
      const scroller = document.querySelector('[data-testid="timeline"] svg[role="img"]')!.parentElement!;
      return [...document.querySelectorAll('main .card')].flatMap((card) => {
        const { left, right } = card.getBoundingClientRect();
        const inside = [...card.querySelectorAll('*')].filter((element) => !(scroller.contains(element) && element !== scroller));
        return inside
          .filter((element) => {
            const box = element.getBoundingClientRect();
            return box.width > 0 && (box.left < left - 0.5 || box.right > right + 0.5);
          })
          .map((element) => `${element.tagName.toLowerCase()}: ${element.textContent?.slice(0, 40)}`);
      });
    });
    expect(overflowing).toEqual([]);

    await expectNoSeriousViolations(page);
  });
});
