import { expect, type Page, test } from '@playwright/test';
import { createRequire } from 'node:module';
import { sumSamples } from '../lib/telemetry/prometheus-text';
import { type SpawnedServer, startServer } from './servers';
import { signIn } from './helpers';
import { ACCESS_TOKEN_TTL, appEnv, CLIENT_ID, CLIENT_SECRET, DEV_MODE_APP_URL, DEV_MODE_IDP_PORT, DEV_MODE_NOTES_API_PORT } from './settings';

// What a developer sees in `npm run dev`: a page that stays loaded after a production
// build, the address Next.js prints leading to the one where sign-in works, and no console
// errors or issues in Next.js's dev overlay on any page, signed out and signed in.
// `next dev` builds into .next/dev, so it runs beside the production build the rest of
// the suite serves.

const IDP_URL = `http://127.0.0.1:${DEV_MODE_IDP_PORT}`;
const NOTES_API_URL = `http://127.0.0.1:${DEV_MODE_NOTES_API_PORT}`;
const APP_PORT = new URL(DEV_MODE_APP_URL).port;
const nextBin = createRequire(import.meta.url).resolve('next/dist/bin/next');
// `next dev` compiles each route on its first request: slow on a small machine.
const COMPILE_MS = 120_000;

test.use({ baseURL: DEV_MODE_APP_URL, navigationTimeout: COMPILE_MS });

function startDevServers(): Promise<SpawnedServer>[] {
  const tsx = ['--import', 'tsx'];
  return [
    startServer({
      name: 'dev IdP',
      args: [...tsx, 'idp/server.ts'],
      env: { ...process.env, DEV_IDP_PORT: String(DEV_MODE_IDP_PORT), APP_URL: DEV_MODE_APP_URL, OIDC_CLIENT_ID: CLIENT_ID, OIDC_CLIENT_SECRET: CLIENT_SECRET, DEV_IDP_ACCESS_TOKEN_TTL: String(ACCESS_TOKEN_TTL) },
      readyUrl: `${IDP_URL}/.well-known/openid-configuration`,
      timeoutMs: 30_000,
    }),
    startServer({
      name: 'notes API',
      args: [...tsx, 'resource/server.ts'],
      env: { ...process.env, RESOURCE_PORT: String(DEV_MODE_NOTES_API_PORT), RESOURCE_ISSUER: IDP_URL },
      readyUrl: `${NOTES_API_URL}/health`,
      timeoutMs: 30_000,
    }),
    startServer({
      name: 'next dev',
      args: [nextBin, 'dev', '--port', APP_PORT, '--hostname', '127.0.0.1'],
      env: { ...process.env, ...appEnv(Number(APP_PORT)), APP_URL: DEV_MODE_APP_URL, OIDC_ISSUER: IDP_URL, NOTES_API_URL, NODE_ENV: 'development', METRICS_PORT: String(DEV_MODE_METRICS_PORT) },
      readyUrl: `${DEV_MODE_APP_URL}/status`,
      timeoutMs: COMPILE_MS,
    }),
  ];
}

/** Console errors and uncaught exceptions, each with the page it happened on. */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    // A failed load names its resource only in the location.
    if (message.type() === 'error') errors.push(`${page.url()}: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`));
  return errors;
}

/** Next.js's dev tools live in <nextjs-portal> (an open shadow root, which locators pierce). */
async function expectNoNextIssues(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle');
  // The Next.js mark; a second dev-tools button, the "Compiling…" status pill, comes and goes.
  await expect(page.locator('nextjs-portal [data-nextjs-dev-tools-button][data-next-mark]')).toBeVisible();
  // [data-issues] is the "N issues" badge, shown only when there is at least one.
  await expect(page.locator('nextjs-portal [data-issues]'), `Next.js issues on ${page.url()}`).toHaveCount(0);
  await expect(page.locator('nextjs-portal [data-nextjs-dialog]'), `Next.js error overlay on ${page.url()}`).toHaveCount(0);
}

async function visit(page: Page, path: string): Promise<void> {
  await page.goto(path);
  await expectNoNextIssues(page);
}

interface Reloads {
  /** Document loads. */
  loads: string[];
  /** Fast Refresh rebuilds the page logged. */
  rebuilds: string[];
  /** Why the dev server told the page to reload, and errors that make Fast Refresh reload. */
  causes: string[];
}

/**
 * What makes a page in `next dev` reload itself, recorded from now on. `forget()` drops
 * what was seen so far: the first load has one Fast Refresh rebuild of its own.
 */
function watchReloads(page: Page): Reloads & { forget(): void } {
  const seen: Reloads = { loads: [], rebuilds: [], causes: [] };
  const at = () => new Date().toISOString();
  // A document load, not `framenavigated`: the app router's own history.replaceState on
  // hydration is a navigation too.
  page.on('load', () => seen.loads.push(`${at()} ${page.url()}`));
  page.on('console', (message) => {
    if (message.text().includes('[Fast Refresh] rebuilding')) seen.rebuilds.push(at());
  });
  page.on('pageerror', (error) => seen.causes.push(`${at()} ${error.message}`));
  page.on('websocket', (socket) =>
    socket.on('framereceived', ({ payload }) => {
      if (typeof payload === 'string' && payload.includes('"reloadPage"')) seen.causes.push(`${at()} ${payload.slice(0, 300)}`);
    }),
  );
  return {
    ...seen,
    forget() {
      for (const list of Object.values(seen)) list.length = 0;
    },
  };
}

const STILL_MS = 10_000;
const DEV_MODE_METRICS_PORT = 4144;

test.describe('in development', () => {
  test.describe.configure({ mode: 'serial' });
  let servers: SpawnedServer[] = [];

  test.beforeAll(async () => {
    test.setTimeout(2 * COMPILE_MS);
    const started = await Promise.allSettled(startDevServers());
    servers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    for (const result of started) if (result.status === 'rejected') throw result.reason;
  });

  test.afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
  });

  // Playwright's webServer has just run `next build` into .next: this is `npm run dev`
  // after a build, where the page used to reload itself several times a second.
  test('after a production build, the home page stays loaded: no reload loop', async ({ browser }) => {
    test.setTimeout(2 * COMPILE_MS);
    const context = await browser.newContext({ baseURL: DEV_MODE_APP_URL });
    const page = await context.newPage();
    const seen = watchReloads(page);
    await page.goto('/');
    // Compiles the routes the page fetches. A page reloading itself never goes idle: watch
    // it anyway, so the record below says what reloaded it instead of a timeout.
    await page.waitForLoadState('networkidle', { timeout: 30_000 }).catch(() => undefined);
    seen.forget();
    await page.waitForTimeout(STILL_MS);
    const { loads, rebuilds, causes } = seen;
    expect({ loads, rebuilds, causes }, `next dev's output:\n${servers.at(-1)?.output().slice(-4000)}`).toEqual({ loads: [], rebuilds: [], causes: [] });
    await expectNoNextIssues(page);
    await context.close();
  });

  test('127.0.0.1 redirects to APP_URL (localhost), the one origin sign-in returns to', async ({ request }) => {
    const alias = DEV_MODE_APP_URL.replace('//localhost', '//127.0.0.1');
    const response = await request.get(`${alias}/signin?returnTo=%2Fnotes`, { maxRedirects: 0, timeout: COMPILE_MS });
    expect(response.status()).toBe(307);
    expect(response.headers().location).toBe(`${DEV_MODE_APP_URL}/signin?returnTo=%2Fnotes`);
  });

  test('every page loads without console errors or Next.js issues', async ({ browser }) => {
    test.setTimeout(6 * COMPILE_MS);
    const context = await browser.newContext({ baseURL: DEV_MODE_APP_URL });
    const page = await context.newPage();
    const errors = collectErrors(page);
    // The sign-in button's route and the header's, compiled before the assertions that wait only seconds for them.
    await page.request.get('/auth/login', { maxRedirects: 0, timeout: COMPILE_MS });
    await page.request.get('/api/whoami', { timeout: COMPILE_MS });

    for (const path of ['/', '/signin', '/signin?returnTo=%2Fnotes&reason=refresh_failed']) await visit(page, path);
    await signIn(page, '/dashboard');
    await expectNoNextIssues(page);
    for (const path of ['/notes', '/sessions', '/dashboard']) await visit(page, path);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.origin === DEV_MODE_APP_URL && url.pathname === '/');
    await expectNoNextIssues(page);

    expect(errors).toEqual([]);
    await context.close();

    // docs/OPERATIONS.md, "In development": the metrics moved with what was done, and the
    // event log says it in readable lines.
    const scrape = await (await fetch(`http://127.0.0.1:${DEV_MODE_METRICS_PORT}/metrics`)).text();
    expect(sumSamples(scrape, 'renewal_sessions_started_total')).toBe(1);
    expect(sumSamples(scrape, 'renewal_sessions_ended_total', { reason: 'signed_out' })).toBe(1);
    expect(servers.at(-1)!.output()).toMatch(/INFO.*: sign_out/);
  });
});
