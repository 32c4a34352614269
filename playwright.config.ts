import { defineConfig } from '@playwright/test';
import { chromiumExecutable } from './e2e/browser';
import { ACCESS_TOKEN_TTL, APP_PORT, APP_URL, appEnv, CLIENT_ID, CLIENT_SECRET, E2E_DATABASE_FILE, IDP_PORT, IDP_URL, NOTES_API_PORT, NOTES_API_URL } from './e2e/settings';

export default defineConfig({
  testDir: 'e2e',
  // The specs share one app, one IdP and their counters: run them one at a time.
  workers: 1,
  fullyParallel: false,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  forbidOnly: !!process.env.CI,
  // The HTML report (`npx playwright show-report`) is written, never opened: opening it
  // would hold a terminal or CI job until someone presses Ctrl-C.
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  projects: [
    // Signs alice in once and saves her browser state for `signedIn` (e2e/fixtures.ts).
    { name: 'setup', testMatch: /auth\.setup\.ts$/ },
    // The specs that start from a fresh browser and sign in themselves.
    { name: 'e2e', testMatch: /\.spec\.ts$/, testIgnore: /[\\/]flows[\\/]/ },
    // Flows written with the fixtures; only these wait for `setup`, so a failed sign-in
    // there skips them and nothing else.
    { name: 'flows', testMatch: /[\\/]flows[\\/].*\.spec\.ts$/, dependencies: ['setup'] },
  ],
  use: {
    baseURL: APP_URL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: chromiumExecutable(),
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    },
  },
  webServer: [
    {
      command: 'node --import tsx idp/server.ts',
      url: `${IDP_URL}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      timeout: 30_000,
      env: {
        DEV_IDP_PORT: String(IDP_PORT),
        APP_URL,
        OIDC_CLIENT_ID: CLIENT_ID,
        OIDC_CLIENT_SECRET: CLIENT_SECRET,
        DEV_IDP_ACCESS_TOKEN_TTL: String(ACCESS_TOKEN_TTL),
        DEV_IDP_TEST_CONTROLS: '1',
      },
    },
    {
      command: 'node --import tsx resource/server.ts',
      url: `${NOTES_API_URL}/health`,
      reuseExistingServer: false,
      timeout: 30_000,
      env: { RESOURCE_PORT: String(NOTES_API_PORT), RESOURCE_ISSUER: IDP_URL, RESOURCE_TEST_CONTROLS: '1' },
    },
    {
      command: `rm -f ${E2E_DATABASE_FILE} ${E2E_DATABASE_FILE}-wal ${E2E_DATABASE_FILE}-shm && npx next build && node scripts/start.mjs`,
      url: `http://127.0.0.1:${APP_PORT}/status`,
      reuseExistingServer: false,
      timeout: 300_000,
      stdout: 'pipe',
      env: appEnv(APP_PORT),
    },
  ],
});
