/** The soak's settings (from the environment) and the fixed settings of the servers it starts. */

export interface SoakSettings {
  readonly seconds: number;
  readonly browsers: number;
  readonly instances: number;
  readonly abortRate: number;
  readonly reportPath: string;
  /** A PostgreSQL server to create the run's database on; SQLite when absent. */
  readonly postgresServer?: string;
  /** SOAK_SEED: fixes the random schedule (random.ts); a fresh one when unset. */
  readonly seed: number | undefined;
  /** SOAK_RUNS: how many runs, each with a fresh seed (runs.ts). */
  readonly runs: number;
  /**
   * SOAK_IDP_QUIRKS: the dev IdP's quirk profiles (idp/quirks.ts). By default
   * `growing-tokens`: each grant's first refreshes grow its tokens past the cookie budget
   * and back, so reference mode runs under the same faults as everything else.
   */
  readonly idpQuirks: string;
}

/** Every app instance serves this URL, as behind a load balancer; the IdP registers it. */
export const APP_URL = 'http://localhost:3200';
export const APP_ORIGIN = new URL(APP_URL).origin;
export const FIRST_APP_PORT = 3200;
export const IDP_PORT = 4200;
export const IDP_URL = `http://127.0.0.1:${IDP_PORT}`;
/** The notes API (resource/server.ts), which the notes page's server action calls with the access token. */
export const NOTES_API_PORT = 4201;
export const NOTES_API_URL = `http://127.0.0.1:${NOTES_API_PORT}`;
export const CLIENT_ID = 'renewal-soak';
export const CLIENT_SECRET = 'soak-client-secret';
export const SESSION_SECRET = 'soak-session-secret-0123456789-abcdefghijklmnop';
export const SESSION_COOKIE = 'renewal-session';
export const SQLITE_FILE = 'data/soak.db';
export const LOG_DIR = 'data/soak-logs';

/** Short access tokens so that every browser renews many times during the run. */
export const ACCESS_TOKEN_TTL = 4;
export const REFRESH_GRACE = 5;
export const REFRESH_TIMEOUT_MS = 2000;
/** Teardown and reporting get this long past SOAK_SECONDS before the run is cut short. */
export const HARD_DEADLINE_EXTRA_SECONDS = 120;

function number(env: NodeJS.ProcessEnv, name: string, fallback: number, check: (value: number) => boolean, rule: string): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || !check(value)) throw new Error(`soak: ${name} must be ${rule}, got "${raw}"`);
  return value;
}

const wholeAtLeast = (min: number, max = Number.MAX_SAFE_INTEGER) => (value: number) => Number.isInteger(value) && value >= min && value <= max;

export function readSoakSettings(env: NodeJS.ProcessEnv = process.env): SoakSettings {
  const postgresServer = env.TEST_DATABASE_URL?.trim() || undefined;
  return {
    seconds: number(env, 'SOAK_SECONDS', 180, wholeAtLeast(30), 'a whole number of seconds, at least 30'),
    browsers: number(env, 'SOAK_BROWSERS', 60, wholeAtLeast(1, 999), 'a whole number from 1 to 999'),
    instances: number(env, 'SOAK_INSTANCES', 3, wholeAtLeast(2, 10), 'a whole number from 2 to 10'),
    abortRate: number(env, 'SOAK_ABORT_RATE', 0.05, (value) => value >= 0 && value <= 1, 'a share from 0 to 1'),
    reportPath: env.SOAK_REPORT?.trim() || 'data/soak-report.json',
    seed: env.SOAK_SEED?.trim() ? number(env, 'SOAK_SEED', 0, wholeAtLeast(0, 2 ** 32 - 1), 'a whole number from 0 to 4294967295') : undefined,
    runs: number(env, 'SOAK_RUNS', 1, wholeAtLeast(1, 100), 'a whole number from 1 to 100'),
    idpQuirks: env.SOAK_IDP_QUIRKS?.trim() ?? 'growing-tokens',
    ...(postgresServer ? { postgresServer } : {}),
  };
}

/**
 * How long after a sign-out response every copy of that session must be refused: every
 * instance hears of an end within a second (lib/auth/registry/session-ends.ts), so 2 s
 * leaves a loaded machine a second more. The instances run with the app's default
 * REGISTRY_CHECK_INTERVAL (10 min): verdicts stand until an end is heard of.
 */
export function signOutBoundSeconds(): number {
  return 2;
}

/**
 * How long after a grant is revoked at the IdP every copy of the session must be refused:
 * its access token's life, then the renewal that the IdP refuses (REFRESH_TIMEOUT_MS at
 * most), then the end reaching every instance, and 3 s for a loaded machine (11 s in all, as
 * before the feed of ended sessions).
 */
export function revocationBoundSeconds(): number {
  return ACCESS_TOKEN_TTL + REFRESH_TIMEOUT_MS / 1000 + signOutBoundSeconds() + 3;
}
