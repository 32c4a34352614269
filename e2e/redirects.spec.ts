import { expect, test } from '@playwright/test';
import { signIn, signInAtIdp } from './helpers';
import { APP_URL } from './settings';

// Where the app sends a browser, and how it asks to be reached: every redirect stays on the
// app's origin whatever `returnTo` says (SECURITY-CHECKLIST E.35), and HSTS is decided when
// a request is served, not when the app was built (E.37).

/**
 * returnTo spellings that are plain paths as written but parse to `//evil.example` once URL
 * parsing resolves their dot segments (as written in a query, and percent-encoded there).
 */
const DOT_SEGMENT_ESCAPES = ['/.//evil.example', '/a/..//evil.example', '/%2e%2e//evil.example', '/%2E//evil.example', '/.%2f/evil.example'];

test('renewing a session goes back to the app whatever returnTo says', async ({ page }) => {
  await signIn(page, '/dashboard', 'soak-941');
  await page.goto('about:blank');
  const queries = ['returnTo=/.//evil.example', ...DOT_SEGMENT_ESCAPES.map((returnTo) => `returnTo=${encodeURIComponent(returnTo)}`)];
  for (const query of queries) {
    const response = await page.request.get(`/auth/renew?${query}`, { maxRedirects: 0 });
    expect(response.status(), query).toBe(303);
    const location = new URL(response.headers().location!, APP_URL);
    expect(location.origin, `${query} → ${response.headers().location}`).toBe(APP_URL);
    expect(location.pathname, query).toBe('/');
  }
});

test('a sign-in started with returnTo=/.//evil.example ends on the app', async ({ page, context }) => {
  // Were the callback to send the browser off-site, it would land here rather than on a DNS error.
  await context.route('http://evil.example/**', (route) => route.fulfill({ contentType: 'text/html', body: '<h1>evil.example</h1>' }));
  await page.goto('/auth/login?returnTo=/.//evil.example');
  await signInAtIdp(page, 'soak-942');
  await page.waitForURL((url) => url.origin === APP_URL || url.hostname === 'evil.example');
  expect(new URL(page.url()).origin).toBe(APP_URL);
  expect(new URL(page.url()).pathname).toBe('/');
  // Signed in all the same: the protected page renders.
  await page.goto('/dashboard');
  await expect(page.getByTestId('user-name')).toHaveText('Soak 942');
});

test('the http test app sends no HSTS, yet its build sends it to a request that came over https', async ({ page }) => {
  await signIn(page, '/dashboard', 'soak-941');
  await page.goto('about:blank');
  // Public pages, a protected page (through the proxy), an API route, a sign-in route, static files.
  const paths = ['/', '/signin', '/status', '/dashboard', '/api/me', '/auth/renew?returnTo=/dashboard', '/icon.svg'];
  for (const path of paths) {
    const response = await page.request.get(path, { maxRedirects: 0 });
    expect(response.status(), path).toBeLessThan(500);
    expect(response.headers()['strict-transport-security'], path).toBeUndefined();
    // Behind a TLS terminator the same build answers with HSTS: nothing was fixed at build time.
    const overHttps = await page.request.get(path, { maxRedirects: 0, headers: { 'x-forwarded-proto': 'https' } });
    expect(overHttps.headers()['strict-transport-security'], `${path} over https`).toBe('max-age=63072000; includeSubDomains');
  }
});
