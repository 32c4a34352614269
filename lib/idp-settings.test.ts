import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { parseAuthorizationParams, parseClientAuthentication, parseParMode, parseProfile, pushesAuthorizationRequests } from './idp-settings';

function parsed<T>(parse: (problems: string[]) => T): { value: T; problems: string[] } {
  const problems: string[] = [];
  return { value: parse(problems), problems };
}

test('OIDC_AUTH_PARAMS: a query string of extra parameters, repeatable, in order', () => {
  const { value, problems } = parsed((p) => parseAuthorizationParams('access_type=offline&prompt=consent&resource=https%3A%2F%2Fa.example&resource=urn:b', p));
  assert.deepEqual(problems, []);
  assert.deepEqual(value, [
    ['access_type', 'offline'],
    ['prompt', 'consent'],
    ['resource', 'https://a.example'],
    ['resource', 'urn:b'],
  ]);
  assert.deepEqual(parsed((p) => parseAuthorizationParams(undefined, p)).value, []);
  assert.deepEqual(parsed((p) => parseAuthorizationParams('?audience=https://api.example.com', p)).value, [['audience', 'https://api.example.com']]);
});

test('OIDC_AUTH_PARAMS refuses what the flow sets itself, empty values and bad resources, saying why', () => {
  const { problems } = parsed((p) => parseAuthorizationParams('scope=openid&state=x&redirect_uri=https://evil.example&code_challenge_method=plain&audience=&resource=https://a.example/#f&resource=relative&9x=1', p));
  assert.deepEqual(problems, [
    'OIDC_AUTH_PARAMS must not set scope: set the scope with OIDC_SCOPE',
    'OIDC_AUTH_PARAMS must not set state: generated per sign-in',
    'OIDC_AUTH_PARAMS must not set redirect_uri: set by Renewal from APP_URL',
    'OIDC_AUTH_PARAMS must not set code_challenge_method: always S256',
    'OIDC_AUTH_PARAMS: audience has no value',
    'OIDC_AUTH_PARAMS: resource must be an absolute URI without a fragment (RFC 8707), got "https://a.example/#f"',
    'OIDC_AUTH_PARAMS: resource must be an absolute URI without a fragment (RFC 8707), got "relative"',
    'OIDC_AUTH_PARAMS: "9x" is not a parameter name (write name=value&name=value)',
  ]);
});

test('OIDC_TOKEN_AUTH_METHOD: unset follows discovery; a known method is taken; anything else is refused', () => {
  assert.deepEqual(parsed((p) => parseClientAuthentication({}, p)), { value: { method: undefined, signingKey: undefined }, problems: [] });
  assert.equal(parsed((p) => parseClientAuthentication({ OIDC_TOKEN_AUTH_METHOD: 'client_secret_post' }, p)).value.method, 'client_secret_post');
  assert.deepEqual(parsed((p) => parseClientAuthentication({ OIDC_TOKEN_AUTH_METHOD: 'basic' }, p)).problems, [
    'OIDC_TOKEN_AUTH_METHOD must be one of client_secret_basic, client_secret_post, private_key_jwt, got "basic"',
  ]);
});

const rsaPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs1' }).toString();
const ecPem = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'pem', type: 'sec1' }).toString();

test('private_key_jwt reads the key from the environment (\\n-escaped or not) or a file, as PKCS#8, with its algorithm', () => {
  const inline = parsed((p) => parseClientAuthentication({ OIDC_TOKEN_AUTH_METHOD: 'private_key_jwt', OIDC_CLIENT_PRIVATE_KEY: rsaPem.replace(/\n/g, '\\n'), OIDC_CLIENT_KEY_ID: 'k1' }, p));
  assert.deepEqual(inline.problems, []);
  assert.equal(inline.value.signingKey?.alg, 'RS256');
  assert.equal(inline.value.signingKey?.kid, 'k1');
  assert.match(inline.value.signingKey!.pkcs8, /^-----BEGIN PRIVATE KEY-----/);

  const fromFile = parsed((p) => parseClientAuthentication({ OIDC_TOKEN_AUTH_METHOD: 'private_key_jwt', OIDC_CLIENT_PRIVATE_KEY_FILE: '/keys/client.pem' }, p, { readFile: (path) => (path === '/keys/client.pem' ? ecPem : '') }));
  assert.deepEqual(fromFile.problems, []);
  assert.equal(fromFile.value.signingKey?.alg, 'ES384');
  assert.equal(fromFile.value.signingKey?.kid, undefined);

  const override = parsed((p) => parseClientAuthentication({ OIDC_TOKEN_AUTH_METHOD: 'private_key_jwt', OIDC_CLIENT_PRIVATE_KEY: rsaPem, OIDC_CLIENT_KEY_ALG: 'PS256' }, p));
  assert.equal(override.value.signingKey?.alg, 'PS256');
});

test('private_key_jwt problems are named without echoing the key', () => {
  const missing = parsed((p) => parseClientAuthentication({ OIDC_TOKEN_AUTH_METHOD: 'private_key_jwt' }, p));
  assert.match(missing.problems[0]!, /needs a private key/);
  const garbage = parsed((p) => parseClientAuthentication({ OIDC_TOKEN_AUTH_METHOD: 'private_key_jwt', OIDC_CLIENT_PRIVATE_KEY: 'not-a-key-secret-value' }, p));
  assert.equal(garbage.problems.length, 1);
  assert.doesNotMatch(garbage.problems[0]!, /secret-value/);
  const unreadable = parsed((p) =>
    parseClientAuthentication({ OIDC_TOKEN_AUTH_METHOD: 'private_key_jwt', OIDC_CLIENT_PRIVATE_KEY_FILE: '/nope' }, p, {
      readFile: () => {
        throw Object.assign(new Error('nope'), { code: 'ENOENT' });
      },
    }),
  );
  assert.deepEqual(unreadable.problems, ['OIDC_CLIENT_PRIVATE_KEY_FILE: cannot read "/nope" (ENOENT)']);
  const both = parsed((p) => parseClientAuthentication({ OIDC_TOKEN_AUTH_METHOD: 'private_key_jwt', OIDC_CLIENT_PRIVATE_KEY: rsaPem, OIDC_CLIENT_PRIVATE_KEY_FILE: '/k' }, p));
  assert.deepEqual(both.problems, ['set OIDC_CLIENT_PRIVATE_KEY or OIDC_CLIENT_PRIVATE_KEY_FILE, not both']);
  const unused = parsed((p) => parseClientAuthentication({ OIDC_CLIENT_PRIVATE_KEY: rsaPem }, p));
  assert.match(unused.problems[0]!, /OIDC_TOKEN_AUTH_METHOD is not private_key_jwt/);
});

test('OIDC_PAR: auto unless set; on, off; anything else refused', () => {
  assert.deepEqual(parsed((problems) => parseParMode(undefined, problems)), { value: 'auto', problems: [] });
  assert.deepEqual(parsed((problems) => parseParMode(' off ', problems)), { value: 'off', problems: [] });
  assert.deepEqual(parsed((problems) => parseParMode('yes', problems)).problems, ['OIDC_PAR must be one of auto, on, off, got "yes"']);
});

test('PAR is used when the IdP requires it whatever OIDC_PAR says, when it offers it under auto, and always under on', () => {
  const offered = { pushed_authorization_request_endpoint: 'https://idp.example/par' };
  const required = { ...offered, require_pushed_authorization_requests: true };
  assert.equal(pushesAuthorizationRequests('auto', offered), true);
  assert.equal(pushesAuthorizationRequests('auto', {}), false);
  assert.equal(pushesAuthorizationRequests('off', offered), false);
  assert.equal(pushesAuthorizationRequests('off', required), true);
  assert.equal(pushesAuthorizationRequests('on', {}), true, 'and the sign-in then says the IdP offers none');
});

test('OIDC_PROFILE: fapi2 or unset; anything else refused', () => {
  assert.deepEqual(parsed((p) => parseProfile(undefined, p)), { value: undefined, problems: [] });
  assert.deepEqual(parsed((p) => parseProfile(' fapi2 ', p)), { value: 'fapi2', problems: [] });
  assert.deepEqual(parsed((p) => parseProfile('fapi1', p)).problems, ['OIDC_PROFILE must be fapi2, or unset, got "fapi1"']);
});

test('OIDC_PROFILE=fapi2: private_key_jwt whatever is unset, PS256 for RSA keys, and only FAPI 2.0 algorithms and key sizes', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const fapi2 = { profile: 'fapi2' } as const;
  const defaulted = parsed((p) => parseClientAuthentication({ OIDC_CLIENT_PRIVATE_KEY: rsa }, p, fapi2));
  assert.deepEqual(defaulted.problems, []);
  assert.equal(defaulted.value.method, 'private_key_jwt');
  assert.equal(defaulted.value.signingKey?.alg, 'PS256', 'FAPI 2.0 forbids RS256');
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  assert.equal(parsed((p) => parseClientAuthentication({ OIDC_CLIENT_PRIVATE_KEY: ec }, p, fapi2)).value.signingKey?.alg, 'ES256');

  assert.deepEqual(parsed((p) => parseClientAuthentication({ OIDC_TOKEN_AUTH_METHOD: 'client_secret_basic' }, p, fapi2)).problems, [
    'OIDC_PROFILE=fapi2 authenticates the client with private_key_jwt: remove OIDC_TOKEN_AUTH_METHOD=client_secret_basic',
  ]);
  assert.match(parsed((p) => parseClientAuthentication({ OIDC_CLIENT_PRIVATE_KEY: rsa, OIDC_CLIENT_KEY_ALG: 'RS256' }, p, fapi2)).problems[0]!, /PS256, ES256, EdDSA only; the client key's algorithm is RS256/);
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  assert.match(parsed((p) => parseClientAuthentication({ OIDC_CLIENT_PRIVATE_KEY: p384 }, p, fapi2)).problems[0]!, /the client key's algorithm is ES384/);
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  assert.deepEqual(parsed((p) => parseClientAuthentication({ OIDC_CLIENT_PRIVATE_KEY: small }, p, fapi2)).problems, ['OIDC_PROFILE=fapi2 needs an RSA client key of at least 2048 bits; this one has 1024']);
  assert.match(parsed((p) => parseClientAuthentication({}, p, fapi2)).problems[0]!, /needs a private key/);
});

test('OIDC_PROFILE=fapi2 pushes every authorization request: OIDC_PAR=off is refused', () => {
  assert.deepEqual(parsed((p) => parseParMode(undefined, p, 'fapi2')), { value: 'on', problems: [] });
  assert.deepEqual(parsed((p) => parseParMode('auto', p, 'fapi2')), { value: 'on', problems: [] });
  assert.deepEqual(parsed((p) => parseParMode('off', p, 'fapi2')).problems, ['OIDC_PROFILE=fapi2 pushes every authorization request: remove OIDC_PAR=off']);
});
