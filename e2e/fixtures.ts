/**
 * Fixtures for flows written against the suite's servers: `idp`, the dev IdP's test
 * controls (reset before every test), and `signedIn`, a browser context where alice is
 * already signed in. docs/TESTING.md, "Write your own flow", shows them in use.
 */
import { type BrowserContext, test as base, type Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import { idp as controls, signIn, waitUntilPast } from './helpers';

export { expect } from '@playwright/test';

/** Where the `setup` project (auth.setup.ts) and `signedIn` keep alice's browser state. */
export const SIGNED_IN_STATE = 'e2e/.auth/alice.json';

export interface IdpFixture extends Readonly<typeof controls> {
  /**
   * Waits until the access token of `page`'s session has expired, and returns its expiry
   * (epoch seconds). The IdP cannot expire a token the app already holds, so this waits
   * out its life (6 s in the suite). It leaves `page` on about:blank: app pages renew by
   * themselves (the dashboard's countdown, prefetched links), and the next request
   * should be yours.
   */
  waitForExpiry(page: Page): Promise<number>;
}

export interface SignedIn {
  readonly context: BrowserContext;
  /** A blank page of `context`; go to an app page first. */
  readonly page: Page;
}

async function isSignedIn(page: Page): Promise<boolean> {
  return (await page.request.get('/api/me')).ok();
}

/** Signs alice in through the dev IdP's form, as a person would, and saves the state. */
export async function signInAndSave(page: Page): Promise<void> {
  await signIn(page);
  await page.context().storageState({ path: SIGNED_IN_STATE });
}

async function waitForExpiry(page: Page): Promise<number> {
  const me = await page.request.get('/api/me');
  if (!me.ok()) throw new Error(`idp.waitForExpiry: the page is not signed in (/api/me answered ${me.status()})`);
  const { session } = (await me.json()) as { session: { expiresAt: number } };
  await page.goto('about:blank');
  await waitUntilPast(session.expiresAt);
  return session.expiresAt;
}

export const test = base.extend<{ idp: IdpFixture; signedIn: SignedIn }>({
  // Auto: every test starts with the IdP's counters at zero and its faults off, whether it
  // asks for the controls or not.
  idp: [
    async ({}, use) => {
      await controls.reset();
      await use({ ...controls, waitForExpiry });
    },
    { auto: true },
  ],
  // Uses `idp` so the IdP is reset before the check below; and resets it again after, as
  // the check may itself renew the session: a test counts only its own refreshes.
  signedIn: async ({ browser, baseURL, idp }, use) => {
    const context = await browser.newContext({ baseURL, storageState: existsSync(SIGNED_IN_STATE) ? SIGNED_IN_STATE : undefined });
    const page = await context.newPage();
    // Another test may have ended the saved session (signed out, revoked alice's grants),
    // or renewed it past the point where the saved cookie may adopt the newest tokens.
    if (!(await isSignedIn(page))) {
      // Without the IdP's cookie too, the IdP shows its form instead of answering at once.
      await context.clearCookies();
      await signInAndSave(page);
    }
    await page.goto('about:blank');
    await idp.reset();
    await use({ context, page });
    // The next test starts from this session's newest cookie; if this test ended the
    // session, the next one signs in again.
    await context.storageState({ path: SIGNED_IN_STATE });
    await context.close();
  },
});
