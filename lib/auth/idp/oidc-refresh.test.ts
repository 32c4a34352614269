import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { json, type LocalIdp, startLocalIdp } from './local-idp.test-support';

/**
 * refreshGrant against a local IdP (discovery, JWKS, token endpoint) whose token
 * responses each test chooses: a refreshed ID token naming someone else, and responses
 * without expires_in.
 */
let issuer: string;
let privateKey: CryptoKey;
let tokenResponse: () => Record<string, unknown> = () => ({});
let tokenStatus = 200;
let tokenHeaders: Record<string, string> = {};
let userinfo: (authorization: string | undefined) => { status: number; body: Record<string, unknown> } = () => ({ status: 404, body: {} });
let refreshGrant: typeof import('./oidc').refreshGrant;
let readUserInfo: typeof import('./oidc').readUserInfo;

let idp: LocalIdp;

before(async () => {
  const keys = await generateKeyPair('RS256', { extractable: true });
  privateKey = keys.privateKey;
  const jwk = { ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  idp = await startLocalIdp({
    jwks: (res) => json(res, { keys: [jwk] }),
    token: (res) => json(res, tokenResponse(), tokenStatus, tokenHeaders),
    userinfo: (res, authorization) => {
      const answer = userinfo(authorization);
      json(res, answer.body, answer.status);
    },
  });
  issuer = idp.issuer;
  Object.assign(process.env, { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: 'app', OIDC_CLIENT_SECRET: 'secret' });
  ({ refreshGrant, readUserInfo } = await import('./oidc'));
});
after(() => idp.close());

async function idToken(sub: string, overrides: { iss?: string; aud?: string; exp?: string; claims?: Record<string, unknown>; key?: CryptoKey } = {}): Promise<string> {
  return new SignJWT({ sub, ...overrides.claims })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(overrides.iss ?? issuer)
    .setAudience(overrides.aud ?? 'app')
    .setIssuedAt()
    .setExpirationTime(overrides.exp ?? '5m')
    .sign(overrides.key ?? privateKey);
}

const NOW = Math.floor(Date.now() / 1000);

test('a refreshed ID token for the same subject renews; the refresh token rotates', async () => {
  const id = await idToken('alice');
  tokenResponse = () => ({ access_token: 'at-2', token_type: 'Bearer', expires_in: 120, refresh_token: 'rt-2', id_token: id });
  const result = await refreshGrant('rt-1', 'alice', NOW);
  assert.ok(result.kind === 'ok');
  const { expiresAt, ...rest } = result.tokens;
  assert.deepEqual(rest, { accessToken: 'at-2', refreshToken: 'rt-2', idToken: id, issuedAt: NOW });
  // expires_in counts from when the response arrived, rounded down: never later than asked.
  assert.ok(expiresAt >= NOW + 119 && expiresAt <= NOW + 120, `expiresAt ${expiresAt - NOW} s from now`);
});

test('the profile claims of a refreshed ID token come back with the tokens; one without any brings none', async () => {
  const renamed = await idToken('alice', { claims: { name: 'Alice Kingsleigh', email: 'alice@wonderland.test' } });
  tokenResponse = () => ({ access_token: 'at-2', token_type: 'Bearer', expires_in: 120, refresh_token: 'rt-2', id_token: renamed });
  const result = await refreshGrant('rt-1', 'alice', NOW);
  assert.deepEqual(result.kind === 'ok' && result.claims, { name: 'Alice Kingsleigh', email: 'alice@wonderland.test' });

  const bare = await idToken('alice');
  tokenResponse = () => ({ access_token: 'at-2', token_type: 'Bearer', expires_in: 120, refresh_token: 'rt-2', id_token: bare });
  const without = await refreshGrant('rt-1', 'alice', NOW);
  assert.ok(without.kind === 'ok');
  assert.equal(without.claims, undefined);
});

test('a refreshed ID token signed by a key the IdP never published is terminal, like one at sign-in', async () => {
  const stranger = (await generateKeyPair('RS256')).privateKey;
  const forged = await idToken('alice', { claims: { name: 'Mallory' }, key: stranger });
  tokenResponse = () => ({ access_token: 'at-2', token_type: 'Bearer', expires_in: 120, refresh_token: 'rt-2', id_token: forged });
  assert.deepEqual(await refreshGrant('rt-1', 'alice', NOW), { kind: 'terminal', error: 'id_token_invalid' });
});

test('userinfo gives the profile claims of the subject asked for; another subject, a refusal or no claims give nothing', async (t) => {
  t.mock.method(console, 'error', () => {});
  userinfo = (authorization) => (authorization === 'Bearer at-2' ? { status: 200, body: { sub: 'alice', name: 'Alice K.', email: 'ak@example.test' } } : { status: 401, body: {} });
  assert.deepEqual(await readUserInfo('at-2', 'alice'), { name: 'Alice K.', email: 'ak@example.test' });
  assert.equal(await readUserInfo('at-2', 'bob'), undefined, 'another subject');
  assert.equal(await readUserInfo('at-other', 'alice'), undefined, 'refused');
  userinfo = () => ({ status: 200, body: { sub: 'alice' } });
  assert.equal(await readUserInfo('at-2', 'alice'), undefined, 'no profile claims');
});

test('a refreshed ID token naming another subject is refused, definitively', async () => {
  const id = await idToken('mallory');
  tokenResponse = () => ({ access_token: 'at-2', token_type: 'Bearer', expires_in: 120, id_token: id });
  assert.deepEqual(await refreshGrant('rt-1', 'alice', NOW), { kind: 'terminal', error: 'subject_changed' });
});

test('no new refresh token keeps the old one; no expires_in falls back to the JWT exp, else 300 s', async () => {
  const exp = NOW + 900;
  const jwtAccessToken = await new SignJWT({}).setProtectedHeader({ alg: 'RS256' }).setExpirationTime(exp).sign(privateKey);
  tokenResponse = () => ({ access_token: jwtAccessToken, token_type: 'Bearer' });
  const fromJwt = await refreshGrant('rt-1', 'alice', NOW);
  assert.equal(fromJwt.kind === 'ok' && fromJwt.tokens.expiresAt, exp);
  assert.equal(fromJwt.kind === 'ok' && fromJwt.tokens.refreshToken, 'rt-1');

  tokenResponse = () => ({ access_token: 'opaque', token_type: 'Bearer' });
  const opaque = await refreshGrant('rt-1', 'alice', NOW);
  assert.equal(opaque.kind === 'ok' && opaque.tokens.expiresAt, NOW + 300);
});

test('a refreshed ID token failing openid-client\'s iss, aud or exp checks is terminal: that answer cannot be trusted', async () => {
  for (const overrides of [{ iss: 'https://evil.test' }, { aud: 'someone-else' }, { exp: '-10m' }]) {
    const id = await idToken('alice', overrides);
    tokenResponse = () => ({ access_token: 'at-2', token_type: 'Bearer', expires_in: 120, refresh_token: 'rt-2', id_token: id });
    assert.deepEqual(await refreshGrant('rt-1', 'alice', NOW), { kind: 'terminal', error: 'id_token_invalid' }, JSON.stringify(overrides));
  }
});

test('a 200 without an access token is uncertain: the IdP may have rotated the refresh token', async () => {
  tokenResponse = () => ({ token_type: 'Bearer', refresh_token: 'rt-2' });
  assert.equal((await refreshGrant('rt-1', 'alice', NOW)).kind, 'uncertain');
});

test('a refused client is misconfigured, and one log line names the method used, the endpoint and the setting to try', async (t) => {
  const logged = t.mock.method(console, 'error', () => {});
  tokenStatus = 401;
  tokenResponse = () => ({ error: 'invalid_client' });
  try {
    assert.deepEqual(await refreshGrant('rt-1', 'alice', NOW), { kind: 'misconfigured', error: 'invalid_client' });
    assert.deepEqual(await refreshGrant('rt-1', 'alice', NOW), { kind: 'misconfigured', error: 'invalid_client' });
  } finally {
    tokenStatus = 200;
  }
  const lines = logged.mock.calls.map((call) => String(call.arguments[0]));
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /401 invalid_client from http:\/\/127\.0\.0\.1:\d+\/token/);
  assert.match(lines[0]!, /using client_secret_basic; sessions are kept/);
  assert.match(lines[0]!, /OIDC_TOKEN_AUTH_METHOD=client_secret_post/);
  assert.doesNotMatch(lines[0]!, /secret'|rt-1/);
});

test('a client refused with a WWW-Authenticate challenge is misconfigured too, and the log names the error the challenge carries', async (t) => {
  const logged = t.mock.method(console, 'error', () => {});
  // 403 rather than oidc-provider's 401: the log line would repeat the previous test's, which is logged once a minute.
  tokenStatus = 403;
  tokenHeaders = { 'www-authenticate': 'Basic realm="idp", error="invalid_client", error_description="client authentication failed"' };
  tokenResponse = () => ({ error: 'invalid_client', error_description: 'client authentication failed' });
  try {
    assert.deepEqual(await refreshGrant('rt-1', 'alice', NOW), { kind: 'misconfigured', error: 'invalid_client' });
  } finally {
    tokenStatus = 200;
    tokenHeaders = {};
  }
  const lines = logged.mock.calls.map((call) => String(call.arguments[0]));
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /refused this client at its token endpoint \(403 invalid_client from http:\/\/127\.0\.0\.1:\d+\/token\) using client_secret_basic; sessions are kept/);
});
