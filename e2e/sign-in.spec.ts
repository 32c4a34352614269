import { expect, test } from '@playwright/test';
import { auditEvents, idp, sessionCookie, signIn, signInAtIdp } from './helpers';

test.beforeEach(async () => {
  await idp.reset();
});

test('signing in through the IdP lands on the page asked for and shows the name', async ({ page }) => {
  await page.goto('/dashboard?from=test');
  await expect(page).toHaveURL(/\/signin\?returnTo=%2Fdashboard%3Ffrom%3Dtest&reason=signin$/);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/127\.0\.0\.1:4100\/interaction\//);
  await signInAtIdp(page, 'alice', 'password');
  await expect(page).toHaveURL(/localhost:3100\/dashboard\?from=test$/);
  await expect(page.getByTestId('user-name')).toHaveText('Alice Liddell');
  await expect(page.getByTestId('events')).toContainText('Signed in');
});

test('the authorization request is pushed (PAR, RFC 9126): the browser carries only client_id and request_uri to the IdP', async ({ page }) => {
  const toIdp: URL[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.port === '4100' && url.pathname === '/auth') toIdp.push(url);
  });
  await signIn(page);
  expect(toIdp).toHaveLength(1);
  expect([...toIdp[0]!.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
  expect((await idp.stats()).par).toBe(1);
});

test('the IdP login page refuses a wrong password', async ({ page }) => {
  await page.goto('/auth/login?returnTo=/dashboard');
  await signInAtIdp(page, 'alice', 'not-the-password');
  await expect(page.getByRole('alert')).toHaveText('Wrong username or password.');
  await signInAtIdp(page, 'bob', 'password');
  await expect(page.getByTestId('user-name')).toHaveText('Bob Builder');
});

test('anonymous: the API answers 401 JSON and pages redirect to sign-in', async ({ request }) => {
  const api = await request.get('/api/me', { maxRedirects: 0 });
  expect(api.status()).toBe(401);
  expect(await api.json()).toEqual({ error: 'unauthorized', reason: 'signin' });

  const page = await request.get('/dashboard', { maxRedirects: 0 });
  expect(page.status()).toBe(303);
  expect(page.headers().location).toMatch(/^(http:\/\/localhost:3100)?\/signin\?returnTo=%2Fdashboard&reason=signin$/);
});

test('a tampered or garbage cookie is treated as signed out, never a 500', async ({ page, context }) => {
  await signIn(page);
  const sealed = await sessionCookie(context);
  expect(sealed).toBeTruthy();
  const flipped = sealed!.slice(0, 40) + (sealed![40] === 'A' ? 'B' : 'A') + sealed!.slice(41);

  for (const value of [flipped, sealed!.slice(0, sealed!.length / 2), 'garbage', 'Fe26.2**x*y*z']) {
    // Leave every app page first: the dashboard's countdown refreshes, and the header's
    // links are prefetched, through the proxy — either would have the planted cookie
    // refused (and cleared) before the navigation below is sent.
    await page.goto('about:blank');
    await context.addCookies([{ name: 'renewal-session', value, url: 'http://localhost:3100' }]);
    const response = await page.goto('/dashboard');
    expect(response?.status()).toBe(200);
    await expect(page).toHaveURL(/\/signin\?returnTo=%2Fdashboard&reason=invalid$/);
    await expect(page.getByTestId('reason')).toContainText('could not be read');
    expect(await sessionCookie(context)).toBeUndefined();

    await page.goto('about:blank');
    await context.addCookies([{ name: 'renewal-session', value, url: 'http://localhost:3100' }]);
    const api = await page.request.get('/api/me');
    expect(api.status()).toBe(401);
    expect((await api.json()).reason).toBe('invalid');
  }
});

test('signing out revokes the session and the refresh token; the old cookie no longer works', async ({ page, context }) => {
  await signIn(page);
  const oldCookie = await sessionCookie(context);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/^http:\/\/localhost:3100\/(\?state=[\w-]+)?$/);
  expect(await sessionCookie(context)).toBeUndefined();
  expect((await idp.stats()).revocation).toBe(1);
  const signOut = (await auditEvents('sign_out')).at(-1);
  expect(signOut).toBeTruthy();

  // Plant the old cookie from a blank page: app pages prefetch through the proxy by themselves.
  await page.goto('about:blank');
  await context.addCookies([{ name: 'renewal-session', value: oldCookie!, url: 'http://localhost:3100' }]);
  const api = await page.request.get('/api/me');
  expect(api.status()).toBe(401);
  expect((await api.json()).reason).toBe('revoked');
  await context.addCookies([{ name: 'renewal-session', value: oldCookie!, url: 'http://localhost:3100' }]);
  await page.goto('/dashboard');
  await expect(page).toHaveURL(/\/signin\?returnTo=%2Fdashboard&reason=revoked$/);
  expect((await auditEvents('rejected')).filter((event) => event.sessionId === signOut!.sessionId).map((event) => event.reason)).toEqual(['revoked']);
});

test('sign-out from another site is refused', async ({ page, context }) => {
  await signIn(page);
  const response = await page.request.post('/auth/logout', { headers: { Origin: 'https://evil.example' }, maxRedirects: 0 });
  expect(response.status()).toBe(403);
  expect(await sessionCookie(context)).toBeTruthy();
  await page.goto('/dashboard');
  await expect(page.getByTestId('user-name')).toBeVisible();
});

test('security headers on every page; authenticated responses are never stored', async ({ page }) => {
  const home = await page.goto('/');
  const headers = home!.headers();
  expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
  expect(headers['x-powered-by']).toBeUndefined();

  await signIn(page);
  const dashboard = await page.goto('/dashboard');
  expect(dashboard!.headers()['cache-control']).toContain('no-store');
  expect((await page.request.get('/api/me')).headers()['cache-control']).toContain('no-store');
  const cookie = (await page.context().cookies()).find((c) => c.name === 'renewal-session')!;
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/', secure: false });
});

test('the app has an icon, also where browsers look for one by themselves', async ({ request }) => {
  for (const path of ['/icon.svg', '/favicon.ico']) {
    const response = await request.get(path);
    expect(response.status(), path).toBe(200);
    expect(response.headers()['content-type']).toContain('image/svg+xml');
  }
});
