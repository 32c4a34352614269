import { createServer, type Server } from 'node:http';
import { expect, test } from '@playwright/test';
import { sumSamples } from '../lib/telemetry/prometheus-text';
import { awayUntilExpired, sessionCookie, shownExpiry, signIn, waitUntilPast } from './helpers';
import { type Instance, startIdp, startInstance, startNotesApi } from './instances';
import { ACCESS_TOKEN_TTL, appEnv, CLIENT_ID, CLIENT_SECRET } from './settings';

/**
 * What an operator sees (lib/telemetry): an instance with METRICS_PORT and an OTLP endpoint
 * set, its own IdP and notes API. A person signs in, is renewed once, opens the notes,
 * signs out; the Prometheus scrape counts exactly that, and the spans and log lines the
 * instance emitted meanwhile hold none of the secrets that passed through it.
 */
test.describe.configure({ mode: 'serial' });

const IDP_PORT = 4140;
const NOTES_API_PORT = 4141;
const APP_PORT = 3140;
const METRICS_PORT = 4142;
const COLLECTOR_PORT = 4143;
const APP = `http://localhost:${APP_PORT}`;

let idp: Instance;
let notesApi: Instance;
let app: Instance;
/** Everything the app exported over OTLP/HTTP (JSON), by path. */
const exported: Array<{ path: string; body: string }> = [];
let collector: Server;

test.beforeAll(async () => {
  collector = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      exported.push({ path: request.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(COLLECTOR_PORT, '127.0.0.1', resolve));
  idp = await startIdp(IDP_PORT, { OIDC_CLIENT_ID: CLIENT_ID, OIDC_CLIENT_SECRET: CLIENT_SECRET, APP_URL: APP, DEV_IDP_ACCESS_TOKEN_TTL: String(ACCESS_TOKEN_TTL) });
  notesApi = await startNotesApi(NOTES_API_PORT, idp.url);
  const notesUrl = notesApi.url;
  app = await startInstance(APP_PORT, {
    APP_URL: APP,
    OIDC_ISSUER: idp.url,
    NOTES_API_URL: notesUrl,
    METRICS_PORT: String(METRICS_PORT),
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${COLLECTOR_PORT}`,
  });
});

test.afterAll(async () => {
  await app?.kill();
  await notesApi?.kill();
  await idp?.kill();
  await new Promise((resolve) => collector?.close(resolve));
});

/** The scrape, as Prometheus reads it. */
async function scrape(): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${METRICS_PORT}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

/** Secrets seen during the flow, which no span or log line may carry. */
const secrets: string[] = [CLIENT_SECRET, appEnv(APP_PORT).SESSION_SECRET!];

test('the scrape counts a sign-in, two renewals and a sign-out as they happen; readiness says the dependencies are up', async ({ page, context }) => {
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname === '/auth/callback') for (const key of ['code', 'state']) if (url.searchParams.get(key)) secrets.push(url.searchParams.get(key)!);
  });
  const before = await scrape();
  expect(sumSamples(before, 'renewal_sessions_started_total')).toBe(0);

  await signIn(page, `${APP}/dashboard`);
  const cookie = await sessionCookie(context);
  secrets.push(cookie!);
  const signedIn = await scrape();
  expect(sumSamples(signedIn, 'renewal_sessions_started_total')).toBe(1);
  expect(sumSamples(signedIn, 'renewal_idp_request_duration_count', { endpoint: 'token', outcome: 'ok' })).toBe(1);
  // The ID token's signature is checked against the IdP's keys, fetched once and kept.
  expect(sumSamples(signedIn, 'renewal_idp_request_duration_count', { endpoint: 'jwks', outcome: 'ok' })).toBe(1);
  expect(sumSamples(signedIn, 'renewal_session_cookie_size_count')).toBe(1);

  await waitUntilPast(await shownExpiry(page));
  await page.goto(`${APP}/notes`);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  const renewed = await scrape();
  expect(sumSamples(renewed, 'renewal_refresh_attempts_total', { outcome: 'renewed' })).toBe(1);
  expect(sumSamples(renewed, 'renewal_idp_request_duration_count', { endpoint: 'token', outcome: 'ok' })).toBe(2);
  // The keys are kept, not fetched per renewal: a second renewal fetches none. (The first may
  // have fetched once more: Next.js bundles the proxy apart from the route handlers, each with its own copy.)
  const keysFetched = sumSamples(renewed, 'renewal_idp_request_duration_count', { endpoint: 'jwks', outcome: 'ok' });
  await page.goto(`${APP}/dashboard`);
  await awayUntilExpired(page);
  await page.goto(`${APP}/notes`);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  const renewedAgain = await scrape();
  expect(sumSamples(renewedAgain, 'renewal_refresh_attempts_total', { outcome: 'renewed' })).toBe(2);
  expect(sumSamples(renewedAgain, 'renewal_idp_request_duration_count', { endpoint: 'jwks', outcome: 'ok' })).toBe(keysFetched);
  expect(sumSamples(renewed, 'renewal_registry_checks_total', { source: 'cached' })).toBeGreaterThan(0);

  await page.goto(`${APP}/dashboard`);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((url) => url.searchParams.has('state'));
  const signedOut = await scrape();
  expect(sumSamples(signedOut, 'renewal_sessions_ended_total', { reason: 'signed_out' })).toBe(1);
  expect(sumSamples(signedOut, 'renewal_refresh_attempts_total', { outcome: 'renewed' })).toBe(2);

  const ready = await page.request.get(`${APP}/ready`);
  expect(ready.status()).toBe(200);
  expect(await ready.json()).toEqual({ ready: true, database: 'ok', idp: 'ok' });
});

test('the renewal is a span, with the IdP call under it; no span or log line holds a code, a cookie or a secret', async () => {
  // The batch span processor exports every second.
  await expect.poll(() => exported.filter((e) => e.path === '/v1/traces').map((e) => e.body).join('\n'), { timeout: 10_000 }).toContain('renewal.renew');
  const spans = exported
    .filter((e) => e.path === '/v1/traces')
    .flatMap((e) => (JSON.parse(e.body) as OtlpTraces).resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)));
  const renewal = spans.find((span) => span.name === 'renewal.renew')!;
  const idpCall = spans.find((span) => span.name === 'POST idp token' && span.parentSpanId === renewal.spanId);
  expect(idpCall, 'the token endpoint call is a child of the renewal').toBeDefined();
  expect(idpCall!.traceId).toBe(renewal.traceId);

  const everything = `${exported.map((e) => e.body).join('\n')}\n${app.output()}`;
  expect(app.output()).toMatch(/"event":"refresh"/);
  for (const secret of secrets) expect(everything.includes(secret), `a secret of ${secret.length} characters was exported or logged`).toBe(false);
  expect(everything).not.toMatch(/Bearer |refresh_token=|Fe26\.2\*/);
});

test('readiness answers 503 naming the IdP once its discovery document cannot be read; liveness stays 200', async ({ request }) => {
  await idp.kill();
  // Readiness answers are reused for 2 s.
  await expect.poll(async () => (await request.get(`${APP}/ready`)).status(), { timeout: 10_000 }).toBe(503);
  const answer = await request.get(`${APP}/ready`);
  expect(answer.headers()['retry-after']).toBe('5');
  expect(await answer.json()).toEqual({ ready: false, database: 'ok', idp: 'down' });
  expect((await request.get(`${APP}/status`)).status()).toBe(200);
});

interface OtlpTraces {
  readonly resourceSpans: Array<{ readonly scopeSpans: Array<{ readonly spans: Array<{ readonly name: string; readonly traceId: string; readonly spanId: string; readonly parentSpanId?: string }> }> }>;
}
