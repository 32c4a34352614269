/**
 * Configuration parsing, pure and free of Next.js so that scripts (migrate, start) and
 * tests use the very same rules as the app. lib/env.ts holds the app's parsed copy.
 */
import { z } from 'zod';
import { type ClientAuthentication, type IdpProfile, type ParMode, parseAuthorizationParams, parseClientAuthentication, parseParMode, parseProfile } from './idp-settings';

export interface AppConfig {
  readonly production: boolean;
  readonly appUrl: URL;
  /** https: `Secure` cookies with the `__Host-` prefix, and HSTS. */
  readonly secureCookies: boolean;
  /**
   * `RENEWAL_PROXY=off`: the proxy lets every page through unvalidated, so pages rely on
   * requireSession alone. For the defense-in-depth test and the benchmark's floor; refused
   * for an https APP_URL.
   */
  readonly proxyEnabled: boolean;
  readonly oidc: {
    readonly issuer: URL;
    readonly clientId: string;
    readonly clientSecret: string;
    readonly scope: string;
    /** OIDC_PROFILE=fapi2: FAPI 2.0 — the settings below forced to conform, and the IdP checked (lib/fapi2.ts). */
    readonly profile: IdpProfile | undefined;
    /** OIDC_TOKEN_AUTH_METHOD (and its key): how the client proves itself at the token endpoint. */
    readonly clientAuthentication: ClientAuthentication;
    /** OIDC_PAR: push authorization requests to the IdP first (RFC 9126): auto (when offered), on, off. Required by the IdP: always. */
    readonly par: ParMode;
    /** OIDC_DPOP=on: access tokens bound to a per-session key (RFC 9449). */
    readonly dpop: boolean;
    /** OIDC_AUTH_PARAMS: added to every authorization request (Auth0 audience, Google access_type…). */
    readonly authorizationParams: ReadonlyArray<readonly [string, string]>;
    /** Assumed access-token lifetime when the IdP sends neither expires_in nor a JWT `exp`. */
    readonly fallbackTokenLifetimeSec: number;
    readonly redirectUri: string;
    readonly postLogoutRedirectUri: string;
    /** http is allowed for loopback issuers only (the dev IdP). */
    readonly allowInsecure: boolean;
    readonly usesDevIdp: boolean;
  };
  readonly session: {
    /** Secret id → secret. Every id unseals (rotation). */
    readonly secrets: Readonly<Record<number, string>>;
    /** The id that seals: SESSION_SECRET_SEALING, else the highest id. */
    readonly sealingSecretId: number;
    readonly absoluteLifetimeSec: number;
    readonly idleTimeoutSec: number;
    readonly refreshWindowSec: number;
    readonly graceSec: number;
    readonly refreshTimeoutMs: number;
    /** The longest a registry verdict is trusted, while every end is heard of (a safety net). */
    readonly registryCheckSec: number;
    /** Registry verdicts kept per process (VERDICT_CACHE_SIZE). */
    readonly verdictCacheSize: number;
    /** Unsealed cookies kept per process (UNSEAL_MEMO_SIZE). */
    readonly unsealMemoSize: number;
  };
  /** Fresh identity: profile claims kept current, and sensitive actions behind a recent authentication. */
  readonly identity: {
    /** CLAIMS_REFRESH_INTERVAL: a renewal whose answer carries no profile claims asks userinfo once this much time has passed. */
    readonly claimsRefreshSec: number;
    /** STEP_UP_MAX_AGE: a sensitive action needs an authentication at most this old (seconds). */
    readonly stepUpMaxAgeSec: number;
    /** STEP_UP_ACR: space-separated `acr` values of which a sensitive action's authentication must be one; none when unset. */
    readonly stepUpAcrValues: readonly string[];
  };
  readonly databaseUrl: string;
  /**
   * RETENTION_DAYS: ended sessions (revoked, expired, idle) and audit events are deleted
   * this many days after they end or happen (lib/auth/registry/retention.ts).
   */
  readonly retentionDays: number;
  /**
   * The notes API (resource/) the app calls with the person's access token; undefined
   * when not configured. The dev IdP's default.
   */
  readonly notesApiUrl: URL | undefined;
}

/** Every problem found in the environment, reported at once. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Renewal cannot start: fix these settings (see .env.example)\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export const DEV_DEFAULTS = {
  appUrl: 'http://localhost:3000',
  issuer: 'http://127.0.0.1:4000',
  clientId: 'renewal-dev',
  clientSecret: 'renewal-dev-secret-not-for-production',
  sessionSecret: 'renewal-dev-session-secret-not-for-production-use',
  databaseUrl: 'file:./data/renewal.db',
  notesApiUrl: 'http://127.0.0.1:4001',
} as const;

const DEFAULT_SCOPE = 'openid profile email offline_access';
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const MIN_SECRET_LENGTH = 32;

export function isLoopback(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname);
}

const seconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const numbers = z.object({
  SESSION_ABSOLUTE_LIFETIME: seconds(7 * 24 * 3600),
  SESSION_IDLE_TIMEOUT: seconds(24 * 3600),
  REFRESH_WINDOW: seconds(60),
  REFRESH_GRACE: seconds(60),
  REFRESH_TIMEOUT_MS: seconds(5000),
  REGISTRY_CHECK_INTERVAL: seconds(600),
  VERDICT_CACHE_SIZE: z.coerce.number().int().positive().default(100_000),
  UNSEAL_MEMO_SIZE: z.coerce.number().int().positive().default(10_000),
  ACCESS_TOKEN_FALLBACK_LIFETIME: seconds(300),
  RETENTION_DAYS: z.coerce.number().int().positive().default(30),
  CLAIMS_REFRESH_INTERVAL: seconds(15 * 60),
  STEP_UP_MAX_AGE: seconds(5 * 60),
});

/** `acr` values are URIs or short tokens (OIDC Core 2): printable, no spaces, no quotes. */
const ACR_VALUE = /^[\x21\x23-\x5b\x5d-\x7e]{1,200}$/;

function parseAcrValues(raw: string | undefined, problems: string[]): string[] {
  const values = (raw ?? '').split(' ').filter(Boolean);
  const bad = values.filter((value) => !ACR_VALUE.test(value));
  if (bad.length > 0) problems.push(`STEP_UP_ACR must be acr values separated by spaces (no quotes or backslashes), got "${raw}"`);
  return values;
}

function parseSecrets(raw: string, problems: string[]): Record<number, string> {
  // "secret" alone, or "2:newest,1:older" to rotate: the highest id seals, all unseal.
  const secrets: Record<number, string> = {};
  const parts = raw.split(',').map((part) => part.trim()).filter(Boolean);
  for (const part of parts) {
    const match = /^(\d+):(.+)$/.exec(part);
    const id = match ? Number(match[1]) : 1;
    const secret = match ? match[2]! : part;
    if (!match && parts.length > 1) problems.push('SESSION_SECRET: with several secrets, write each as id:secret (e.g. 2:new,1:old)');
    if (secret.length < MIN_SECRET_LENGTH) problems.push(`SESSION_SECRET: secret ${id} is shorter than ${MIN_SECRET_LENGTH} characters`);
    secrets[id] = secret;
  }
  if (parts.length === 0) problems.push('SESSION_SECRET is empty');
  return secrets;
}

function parseSealingSecretId(raw: string | undefined, secrets: Record<number, string>, problems: string[]): number {
  // A staged rotation gives every instance the new secret first, sealing with the old one,
  // so instances not yet updated can read every cookie; the next deploy drops this setting.
  const ids = Object.keys(secrets).map(Number);
  const newest = Math.max(...ids);
  if (!raw) return newest;
  const id = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(id in secrets)) {
    const known = ids.sort((a, b) => b - a).join(', ');
    problems.push(`SESSION_SECRET_SEALING must be the id of one of the secrets in SESSION_SECRET (${known || 'none'}), got "${raw}"`);
    return newest;
  }
  return id;
}

/** An on/off setting, off unless set. */
function parseSwitch(name: string, raw: string | undefined, problems: string[]): boolean {
  const value = raw?.trim() || 'off';
  if (value !== 'on' && value !== 'off') problems.push(`${name} must be on or off, got "${raw}"`);
  return value === 'on';
}

function parseUrl(name: string, raw: string, problems: string[]): URL | undefined {
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    return url;
  } catch {
    problems.push(`${name} must be an absolute http(s) URL, got "${raw}"`);
    return undefined;
  }
}

/**
 * Parses the environment. Outside production, everything has a local default that
 * points at the dev IdP and SQLite; in production, missing or weak settings are errors.
 */
export function parseConfig(env: Record<string, string | undefined>): AppConfig {
  const production = env.NODE_ENV === 'production';
  const problems: string[] = [];
  const setting = (name: string, devDefault: string, requiredInProduction = true): string => {
    const value = env[name]?.trim();
    if (value) return value;
    if (production && requiredInProduction) problems.push(`${name} is required in production`);
    return devDefault;
  };

  const appUrl = parseUrl('APP_URL', setting('APP_URL', DEV_DEFAULTS.appUrl).replace(/\/+$/, ''), problems);
  const usesDevIdp = !env.OIDC_ISSUER?.trim();
  const issuer = parseUrl('OIDC_ISSUER', setting('OIDC_ISSUER', DEV_DEFAULTS.issuer), problems);
  const clientId = setting('OIDC_CLIENT_ID', DEV_DEFAULTS.clientId);
  const profile = parseProfile(env.OIDC_PROFILE, problems);
  const clientAuthentication = parseClientAuthentication(env, problems, { profile });
  // A client that signs its assertions with a private key has no secret to require.
  const clientSecret = setting('OIDC_CLIENT_SECRET', DEV_DEFAULTS.clientSecret, clientAuthentication.method !== 'private_key_jwt');
  const authorizationParams = parseAuthorizationParams(env.OIDC_AUTH_PARAMS, problems);
  const par = parseParMode(env.OIDC_PAR, problems, profile);
  const dpop = parseSwitch('OIDC_DPOP', env.OIDC_DPOP?.trim() || (profile === 'fapi2' ? 'on' : undefined), problems);
  if (profile === 'fapi2' && !dpop) problems.push('OIDC_PROFILE=fapi2 needs sender-constrained access tokens: remove OIDC_DPOP=off');
  const secrets = parseSecrets(setting('SESSION_SECRET', DEV_DEFAULTS.sessionSecret), problems);
  const sealingSecretId = parseSealingSecretId(env.SESSION_SECRET_SEALING?.trim(), secrets, problems);
  const notesApiRaw = env.NOTES_API_URL?.trim() || (usesDevIdp ? DEV_DEFAULTS.notesApiUrl : undefined);
  const notesApiUrl = notesApiRaw ? parseUrl('NOTES_API_URL', notesApiRaw.replace(/\/+$/, ''), problems) : undefined;
  if (notesApiUrl && notesApiUrl.protocol === 'http:' && !isLoopback(notesApiUrl)) {
    problems.push(`NOTES_API_URL must use https (http is allowed for loopback hosts only): access tokens travel to it, got "${notesApiUrl.href}"`);
  }
  const databaseUrl = setting('DATABASE_URL', DEV_DEFAULTS.databaseUrl, false);

  if (issuer && issuer.protocol === 'http:' && !isLoopback(issuer)) {
    problems.push(`OIDC_ISSUER must use https (http is allowed for loopback hosts only), got "${issuer.href}"`);
  }
  if (production && env.SESSION_SECRET && Object.values(secrets).includes(DEV_DEFAULTS.sessionSecret)) {
    problems.push('SESSION_SECRET is the published development secret; generate one with `openssl rand -base64 48`');
  }
  const proxyEnabled = env.RENEWAL_PROXY?.trim() !== 'off';
  if (!proxyEnabled && appUrl && !isLoopback(appUrl)) {
    problems.push('RENEWAL_PROXY=off is for tests and benchmarks on loopback only: pages would not be renewed');
  }
  if (production && appUrl && appUrl.protocol === 'http:' && !isLoopback(appUrl)) {
    problems.push(`APP_URL must use https in production (http is allowed for loopback hosts only), got "${appUrl.href}"`);
  }
  if (!/^(file:|postgres(ql)?:\/\/)/.test(databaseUrl)) {
    problems.push(`DATABASE_URL must be file:<path> (SQLite) or postgresql://… , got "${databaseUrl.replace(/\/\/[^@]*@/, '//***@')}"`);
  }

  const stepUpAcrValues = parseAcrValues(env.STEP_UP_ACR?.trim(), problems);
  const parsedNumbers = numbers.safeParse(env);
  if (!parsedNumbers.success) {
    for (const issue of parsedNumbers.error.issues) {
      problems.push(`${issue.path.join('.')} must be a positive whole number`);
    }
  }
  if (problems.length > 0 || !appUrl || !issuer || !parsedNumbers.success) throw new ConfigError(problems);

  const n = parsedNumbers.data;
  const origin = appUrl.origin;
  return {
    production,
    appUrl,
    secureCookies: appUrl.protocol === 'https:',
    proxyEnabled,
    oidc: {
      issuer,
      clientId,
      clientSecret,
      // The dev IdP issues access tokens for the notes API to clients that ask for `notes`.
      scope: env.OIDC_SCOPE?.trim() || (usesDevIdp ? `${DEFAULT_SCOPE} notes` : DEFAULT_SCOPE),
      profile,
      clientAuthentication,
      par,
      dpop,
      authorizationParams,
      fallbackTokenLifetimeSec: n.ACCESS_TOKEN_FALLBACK_LIFETIME,
      redirectUri: `${origin}/auth/callback`,
      postLogoutRedirectUri: `${origin}/`,
      allowInsecure: issuer.protocol === 'http:' && isLoopback(issuer),
      usesDevIdp,
    },
    session: {
      secrets,
      sealingSecretId,
      absoluteLifetimeSec: n.SESSION_ABSOLUTE_LIFETIME,
      idleTimeoutSec: n.SESSION_IDLE_TIMEOUT,
      refreshWindowSec: n.REFRESH_WINDOW,
      graceSec: n.REFRESH_GRACE,
      refreshTimeoutMs: n.REFRESH_TIMEOUT_MS,
      registryCheckSec: n.REGISTRY_CHECK_INTERVAL,
      verdictCacheSize: n.VERDICT_CACHE_SIZE,
      unsealMemoSize: n.UNSEAL_MEMO_SIZE,
    },
    identity: {
      claimsRefreshSec: n.CLAIMS_REFRESH_INTERVAL,
      stepUpMaxAgeSec: n.STEP_UP_MAX_AGE,
      stepUpAcrValues,
    },
    databaseUrl,
    retentionDays: n.RETENTION_DAYS,
    notesApiUrl,
  };
}
