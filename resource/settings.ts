/** The notes API's settings, read from the environment with safe local defaults. */
export interface ResourceSettings {
  readonly port: number;
  readonly host: string;
  /** The IdP whose access tokens this API accepts; its JWKS is found by discovery. */
  readonly issuer: string;
  /** The `aud` an access token must carry: this API's resource indicator (RFC 8707). */
  readonly audience: string;
  /** The scope a token needs to use the API. */
  readonly scope: string;
  readonly testControls: boolean;
}

/** This API's resource indicator, as registered at the dev IdP. */
export const NOTES_AUDIENCE = 'urn:renewal:notes';
export const NOTES_SCOPE = 'notes';

export function readSettings(env: NodeJS.ProcessEnv = process.env): ResourceSettings {
  const raw = env.RESOURCE_PORT ?? '4001';
  const port = Number(raw);
  if (!Number.isInteger(port) || port <= 0) throw new Error(`notes API: RESOURCE_PORT must be a port number, got "${raw}"`);
  return {
    port,
    host: '127.0.0.1',
    issuer: (env.RESOURCE_ISSUER ?? env.OIDC_ISSUER ?? 'http://127.0.0.1:4000').replace(/\/+$/, ''),
    audience: env.RESOURCE_AUDIENCE ?? NOTES_AUDIENCE,
    scope: NOTES_SCOPE,
    testControls: env.RESOURCE_TEST_CONTROLS === '1',
  };
}
