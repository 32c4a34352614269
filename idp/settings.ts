import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseQuirks, type Quirk } from './quirks.js';

/** The dev IdP's settings, read from the environment with safe local defaults. */
export interface IdpSettings {
  readonly port: number;
  readonly host: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly appUrls: readonly string[];
  readonly accessTokenTtl: number;
  readonly testControls: boolean;
  /** The notes API's resource indicator: the `aud` of the access tokens issued (RFC 8707). */
  readonly notesAudience: string;
  /** DEV_IDP_QUIRKS: behaviours of real IdPs to take on (quirks.ts). */
  readonly quirks: ReadonlySet<Quirk>;
  /** The `reuse-grace` quirk's grace period. */
  readonly reuseGraceSec: number;
  /** The `private-key-jwt` and `fapi2` quirks: the public half of the app's client key (the same settings as the app's). */
  readonly clientPublicJwk: JsonWebKey | undefined;
}

function clientPublicJwk(env: NodeJS.ProcessEnv): JsonWebKey {
  const file = env.OIDC_CLIENT_PRIVATE_KEY_FILE?.trim();
  const pem = file ? readFileSync(file, 'utf8') : env.OIDC_CLIENT_PRIVATE_KEY?.replace(/\\n/g, '\n');
  if (!pem) throw new Error('dev IdP: the private-key-jwt and fapi2 quirks need OIDC_CLIENT_PRIVATE_KEY or OIDC_CLIENT_PRIVATE_KEY_FILE (the app\'s key)');
  const jwk = createPublicKey(pem).export({ format: 'jwk' });
  const kid = env.OIDC_CLIENT_KEY_ID?.trim();
  return kid ? { ...jwk, kid } : jwk;
}

function positiveInteger(name: string, fallback: number, env: NodeJS.ProcessEnv): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`dev IdP: ${name} must be a positive whole number of seconds, got "${raw}"`);
  }
  return value;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): IdpSettings {
  const port = positiveInteger('DEV_IDP_PORT', 4000, env);
  const quirks = parseQuirks(env.DEV_IDP_QUIRKS);
  const host = '127.0.0.1';
  const appUrl = (env.APP_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
  const appUrls = new Set([appUrl]);
  // The same app on the other loopback name, so both http://localhost and
  // http://127.0.0.1 work in a browser without reconfiguring the IdP.
  const url = new URL(appUrl);
  if (url.hostname === 'localhost') appUrls.add(appUrl.replace('//localhost', '//127.0.0.1'));
  if (url.hostname === '127.0.0.1') appUrls.add(appUrl.replace('//127.0.0.1', '//localhost'));
  return {
    port,
    host,
    issuer: env.DEV_IDP_ISSUER ?? `http://${host}:${port}`,
    clientId: env.OIDC_CLIENT_ID ?? 'renewal-dev',
    clientSecret: env.OIDC_CLIENT_SECRET ?? 'renewal-dev-secret-not-for-production',
    appUrls: [...appUrls],
    accessTokenTtl: positiveInteger('DEV_IDP_ACCESS_TOKEN_TTL', 60, env),
    testControls: env.DEV_IDP_TEST_CONTROLS === '1',
    notesAudience: env.DEV_IDP_NOTES_AUDIENCE ?? 'urn:renewal:notes',
    quirks,
    reuseGraceSec: positiveInteger('DEV_IDP_REUSE_GRACE', 30, env),
    clientPublicJwk: quirks.has('private-key-jwt') || quirks.has('fapi2') ? clientPublicJwk(env) : undefined,
  };
}
