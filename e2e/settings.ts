/** Ports and settings of the servers the end-to-end suite starts (loopback only). */
export const APP_PORT = 3100;
export const IDP_PORT = 4100;
export const APP_URL = `http://localhost:${APP_PORT}`;
export const IDP_URL = `http://127.0.0.1:${IDP_PORT}`;
export const NOTES_API_PORT = 4101;
export const NOTES_API_URL = `http://127.0.0.1:${NOTES_API_PORT}`;
/** Short access tokens so the suite can watch them expire. */
export const ACCESS_TOKEN_TTL = 6;
/** Short grace window so the suite can watch it close. */
export const REFRESH_GRACE = 5;
export const CLIENT_ID = 'renewal-e2e';
export const CLIENT_SECRET = 'e2e-client-secret';

/**
 * How long a test waits for every instance to refuse a session ended elsewhere: each hears
 * of an end within a second (lib/auth/registry/session-ends.ts), plus half a second of slack.
 */
export const SESSION_END_HEARD_MS = 1500;

/** The SQLite file of the app under test; wiped at the start of every run. */
export const E2E_DATABASE_FILE = 'data/e2e.db';

/** The database every app instance of the run shares: PostgreSQL when scripts/e2e.mjs provides one. */
export const E2E_DATABASE_URL = process.env.E2E_DATABASE_URL ?? `file:./${E2E_DATABASE_FILE}`;

/** The environment of one app instance; every instance serves the same APP_URL, as behind a load balancer. */
export function appEnv(port: number): Record<string, string> {
  return {
    APP_URL,
    HOST: '127.0.0.1',
    PORT: String(port),
    OIDC_ISSUER: IDP_URL,
    OIDC_CLIENT_ID: CLIENT_ID,
    OIDC_CLIENT_SECRET: CLIENT_SECRET,
    OIDC_SCOPE: 'openid profile email offline_access notes',
    NOTES_API_URL,
    SESSION_SECRET: 'e2e-session-secret-0123456789-abcdefghijklmnop',
    DATABASE_URL: E2E_DATABASE_URL,
    REFRESH_TIMEOUT_MS: '2000',
    REFRESH_GRACE: String(REFRESH_GRACE),
    // Specs sign in and act over several minutes: step-up has its own instance and a short
    // STEP_UP_MAX_AGE in e2e/fresh-identity.spec.ts.
    STEP_UP_MAX_AGE: '86400',
    NEXT_TELEMETRY_DISABLED: '1',
  };
}

/**
 * `next dev` for e2e/dev-mode.spec.ts, with a dev IdP and notes API of its own: the
 * suite's IdP sends sign-ins back to APP_URL only.
 */
export const DEV_MODE_APP_URL = 'http://localhost:3108';
export const DEV_MODE_IDP_PORT = 4108;
export const DEV_MODE_NOTES_API_PORT = 4109;
