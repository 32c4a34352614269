import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { parseAuthorizationParams, parseClientAuthentication, parseParMode, pushesAuthorizationRequests } from './idp-settings';

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

  const fromFile = parsed((p) => parseClientAuthentication({ OIDC_TOKEN_AUTH_METHOD: 'private_key_jwt', OIDC_CLIENT_PRIVATE_KEY_FILE: '/keys/client.pem' }, p, (path) => (path === '/keys/client.pem' ? ecPem : '')));
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
    parseClientAuthentication({ OIDC_TOKEN_AUTH_METHOD: 'private_key_jwt', OIDC_CLIENT_PRIVATE_KEY_FILE: '/nope' }, p, () => {
      throw Object.assign(new Error('nope'), { code: 'ENOENT' });
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
