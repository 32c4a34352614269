/**
 * The settings that adapt Renewal to one IdP: how the client authenticates at the token
 * endpoint, extra authorization parameters, and the access-token lifetime to assume when
 * the IdP says nothing. Parsed with the rest of the configuration (lib/config.ts), so a
 * wrong value stops the app at start with every problem listed.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { FAPI2_ALGORITHMS } from './fapi2';

/** OIDC_PROFILE: a security profile that sets the settings below and checks the IdP (lib/fapi2.ts). */
export const IDP_PROFILES = ['fapi2'] as const;
export type IdpProfile = (typeof IDP_PROFILES)[number];

/** OIDC_PROFILE, none unless set. */
export function parseProfile(raw: string | undefined, problems: string[]): IdpProfile | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  if ((IDP_PROFILES as readonly string[]).includes(value)) return value as IdpProfile;
  problems.push(`OIDC_PROFILE must be ${IDP_PROFILES.join(' or ')}, or unset, got "${raw}"`);
  return undefined;
}

export const TOKEN_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'] as const;
export type TokenAuthMethod = (typeof TOKEN_AUTH_METHODS)[number];

/** A private key for `private_key_jwt` (RFC 7523), PKCS#8 PEM, with the JWS algorithm it signs with. */
export interface ClientSigningKey {
  readonly pkcs8: string;
  readonly alg: string;
  readonly kid?: string;
}

export interface ClientAuthentication {
  /** undefined: follow discovery (client_secret_basic where offered, else client_secret_post). */
  readonly method: TokenAuthMethod | undefined;
  readonly signingKey: ClientSigningKey | undefined;
}

/**
 * Parameters the app sets itself, or that change the flow's security: an extra
 * parameter may add to the authorization request, never override these.
 */
const RESERVED_AUTHORIZATION_PARAMS: Readonly<Record<string, string>> = {
  scope: 'set the scope with OIDC_SCOPE',
  client_id: 'set by Renewal from OIDC_CLIENT_ID',
  redirect_uri: 'set by Renewal from APP_URL',
  response_type: 'Renewal uses the authorization code flow',
  response_mode: 'Renewal reads the code from the query',
  state: 'generated per sign-in',
  nonce: 'generated per sign-in',
  code_challenge: 'generated per sign-in (PKCE)',
  code_challenge_method: 'always S256',
  request: 'signed request objects are not supported',
  request_uri: 'pushed or signed request objects are not supported',
};

const PARAM_NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;

/**
 * OIDC_AUTH_PARAMS: extra authorization parameters, written as a query string
 * (`audience=https%3A%2F%2Fapi.example.com` for Auth0, `access_type=offline&prompt=consent`
 * for Google, `resource=…` — repeatable — for RFC 8707).
 */
export function parseAuthorizationParams(raw: string | undefined, problems: string[]): ReadonlyArray<readonly [string, string]> {
  const text = raw?.trim().replace(/^\?/, '');
  if (!text) return [];
  const pairs: Array<readonly [string, string]> = [];
  for (const [name, value] of new URLSearchParams(text)) {
    if (!PARAM_NAME.test(name)) {
      problems.push(`OIDC_AUTH_PARAMS: "${name}" is not a parameter name (write name=value&name=value)`);
    } else if (name in RESERVED_AUTHORIZATION_PARAMS) {
      problems.push(`OIDC_AUTH_PARAMS must not set ${name}: ${RESERVED_AUTHORIZATION_PARAMS[name]}`);
    } else if (value === '') {
      problems.push(`OIDC_AUTH_PARAMS: ${name} has no value`);
    } else if (name === 'resource' && !isAbsoluteUriWithoutFragment(value)) {
      problems.push(`OIDC_AUTH_PARAMS: resource must be an absolute URI without a fragment (RFC 8707), got "${value}"`);
    } else {
      pairs.push([name, value]);
    }
  }
  return pairs;
}

function isAbsoluteUriWithoutFragment(value: string): boolean {
  try {
    return new URL(value).hash === '' && !value.includes('#');
  } catch {
    return false;
  }
}

/**
 * The JWS algorithm a key signs with: RS256 for RSA (PS256 under FAPI 2.0, which forbids
 * RS256), ES256/384/512 by curve, EdDSA for Ed25519.
 */
function signingAlgorithm(key: KeyObject, profile: IdpProfile | undefined): string | undefined {
  const details = key.asymmetricKeyDetails;
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return profile === 'fapi2' ? 'PS256' : 'RS256';
    case 'rsa-pss':
      return 'PS256';
    case 'ec':
      return { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' }[details?.namedCurve ?? ''];
    case 'ed25519':
      return 'EdDSA';
    default:
      return undefined;
  }
}

type FileReader = (path: string) => string;
const readText: FileReader = (path) => readFileSync(path, 'utf8');

/** FAPI 2.0 Security Profile: PS256, ES256 or EdDSA only, and RSA keys of 2048 bits or more. */
function fapi2KeyProblem(key: KeyObject, alg: string): string | undefined {
  if (!FAPI2_ALGORITHMS.includes(alg)) return `OIDC_PROFILE=fapi2 signs client assertions with ${FAPI2_ALGORITHMS.join(', ')} only; the client key's algorithm is ${alg} (use an RSA key with OIDC_CLIENT_KEY_ALG=PS256, a P-256 EC key, or an Ed25519 key)`;
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (bits !== undefined && bits < 2048) return `OIDC_PROFILE=fapi2 needs an RSA client key of at least 2048 bits; this one has ${bits}`;
  return undefined;
}

function readSigningKey(env: Record<string, string | undefined>, problems: string[], readFile: FileReader, profile: IdpProfile | undefined): ClientSigningKey | undefined {
  const inline = env.OIDC_CLIENT_PRIVATE_KEY?.trim();
  const file = env.OIDC_CLIENT_PRIVATE_KEY_FILE?.trim();
  if (inline && file) {
    problems.push('set OIDC_CLIENT_PRIVATE_KEY or OIDC_CLIENT_PRIVATE_KEY_FILE, not both');
    return undefined;
  }
  let pem = inline?.replace(/\\n/g, '\n');
  if (file) {
    try {
      pem = readFile(file);
    } catch (error) {
      problems.push(`OIDC_CLIENT_PRIVATE_KEY_FILE: cannot read "${file}" (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      return undefined;
    }
  }
  if (!pem) {
    const needing = profile === 'fapi2' ? 'OIDC_PROFILE=fapi2 (private_key_jwt)' : 'OIDC_TOKEN_AUTH_METHOD=private_key_jwt';
    problems.push(`${needing} needs a private key: OIDC_CLIENT_PRIVATE_KEY (PEM) or OIDC_CLIENT_PRIVATE_KEY_FILE`);
    return undefined;
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    // Never echo the value: it is a secret.
    problems.push('the client private key is not a PEM private key (PKCS#8 "BEGIN PRIVATE KEY", or PKCS#1 RSA / SEC1 EC)');
    return undefined;
  }
  const alg = env.OIDC_CLIENT_KEY_ALG?.trim() || signingAlgorithm(key, profile);
  if (!alg) {
    problems.push(`the client private key is a ${key.asymmetricKeyType} key; use an RSA, EC (P-256/384/521) or Ed25519 key`);
    return undefined;
  }
  const refused = profile === 'fapi2' ? fapi2KeyProblem(key, alg) : undefined;
  if (refused) {
    problems.push(refused);
    return undefined;
  }
  return { pkcs8: key.export({ format: 'pem', type: 'pkcs8' }).toString(), alg, kid: env.OIDC_CLIENT_KEY_ID?.trim() || undefined };
}

/** OIDC_TOKEN_AUTH_METHOD and, for private_key_jwt, its key; private_key_jwt whatever is unset under OIDC_PROFILE=fapi2. */
export function parseClientAuthentication(
  env: Record<string, string | undefined>,
  problems: string[],
  { profile, readFile = readText }: { readonly profile?: IdpProfile; readonly readFile?: FileReader } = {},
): ClientAuthentication {
  const raw = env.OIDC_TOKEN_AUTH_METHOD?.trim();
  if (raw && !(TOKEN_AUTH_METHODS as readonly string[]).includes(raw)) {
    problems.push(`OIDC_TOKEN_AUTH_METHOD must be one of ${TOKEN_AUTH_METHODS.join(', ')}, got "${raw}"`);
    return { method: undefined, signingKey: undefined };
  }
  if (profile === 'fapi2' && raw && raw !== 'private_key_jwt') {
    problems.push(`OIDC_PROFILE=fapi2 authenticates the client with private_key_jwt: remove OIDC_TOKEN_AUTH_METHOD=${raw}`);
    return { method: undefined, signingKey: undefined };
  }
  const method = (profile === 'fapi2' ? 'private_key_jwt' : raw) as TokenAuthMethod | undefined;
  if (method !== 'private_key_jwt') {
    if (env.OIDC_CLIENT_PRIVATE_KEY?.trim() || env.OIDC_CLIENT_PRIVATE_KEY_FILE?.trim()) {
      problems.push('a client private key is set but OIDC_TOKEN_AUTH_METHOD is not private_key_jwt: set it, or remove the key');
    }
    return { method, signingKey: undefined };
  }
  return { method, signingKey: readSigningKey(env, problems, readFile, profile) };
}

/** OIDC_PAR: whether authorization requests are pushed to the IdP first (RFC 9126). */
export const PAR_MODES = ['auto', 'on', 'off'] as const;
export type ParMode = (typeof PAR_MODES)[number];

/** OIDC_PAR, `auto` unless set; always `on` under OIDC_PROFILE=fapi2. */
export function parseParMode(raw: string | undefined, problems: string[], profile?: IdpProfile): ParMode {
  const value = raw?.trim() || 'auto';
  if (!(PAR_MODES as readonly string[]).includes(value)) {
    problems.push(`OIDC_PAR must be one of ${PAR_MODES.join(', ')}, got "${raw}"`);
    return 'auto';
  }
  if (profile !== 'fapi2') return value as ParMode;
  if (value === 'off') problems.push('OIDC_PROFILE=fapi2 pushes every authorization request: remove OIDC_PAR=off');
  return 'on';
}

/**
 * Whether this sign-in's authorization request is pushed (RFC 9126): always when the IdP
 * requires it, never when OIDC_PAR=off, else when the IdP offers it (`auto`) or whatever
 * it offers (`on`: an IdP without the endpoint then fails the sign-in, saying so).
 */
export function pushesAuthorizationRequests(mode: ParMode, metadata: { readonly pushed_authorization_request_endpoint?: string; readonly require_pushed_authorization_requests?: boolean }): boolean {
  if (metadata.require_pushed_authorization_requests === true) return true;
  if (mode === 'off') return false;
  return mode === 'on' || metadata.pushed_authorization_request_endpoint !== undefined;
}
