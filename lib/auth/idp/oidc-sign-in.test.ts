import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, test } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { isAuthError } from '../errors';
import { json, type LocalIdp, startLocalIdp } from './local-idp.test-support';

/**
 * finishSignIn against a local IdP (discovery, JWKS, token endpoint) whose answers each test
 * chooses: how a failed code exchange reaches the person (the reason on the sign-in page),
 * and the ID token's signature, which openid-client does not check for a token endpoint
 * answer, across a key rotation and from a key the IdP never published.
 */
let issuer: string;
let tokenReply: (res: ServerResponse, nonce: string) => void | Promise<void> = () => {};
let jwksReply: (res: ServerResponse) => void;
let jwksFetches = 0;
let nonce = '';
let finishSignIn: typeof import('./oidc').finishSignIn;

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;
interface SigningKey extends KeyPair {
  readonly kid: string;
}

async function newKey(kid: string): Promise<SigningKey> {
  return { ...(await generateKeyPair('RS256', { extractable: true })), kid };
}
async function published(...keys: SigningKey[]): Promise<(res: ServerResponse) => void> {
  const jwks = { keys: await Promise.all(keys.map(async (key) => ({ ...(await exportJWK(key.publicKey)), kid: key.kid, alg: 'RS256', use: 'sig' }))) };
  return (res) => json(res, jwks);
}

let idpKey: SigningKey;

let idp: LocalIdp;

before(async () => {
  idpKey = await newKey('k1');
  jwksReply = await published(idpKey);
  idp = await startLocalIdp({
    jwks(res) {
      jwksFetches += 1;
      jwksReply(res);
    },
    token: (res) => tokenReply(res, nonce),
  });
  issuer = idp.issuer;
  Object.assign(process.env, { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: 'app', OIDC_CLIENT_SECRET: 'secret', REFRESH_TIMEOUT_MS: '500' });
  ({ finishSignIn } = await import('./oidc'));
});
after(() => idp.close());

async function idToken(key: SigningKey, claims: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({ sub: 'alice', name: 'Alice', email: 'alice@example.test', nonce, ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid })
    .setIssuer(issuer)
    .setAudience('app')
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(key.privateKey);
}

/** The token endpoint answers with tokens whose ID token `key` signs. */
function signedBy(key: SigningKey) {
  return async (res: ServerResponse) => json(res, { access_token: 'at', token_type: 'Bearer', expires_in: 60, refresh_token: 'rt', id_token: await idToken(key) });
}

/** One sign-in's callback, through finishSignIn; `callback` adds the IdP's answer to the redirect. */
async function signIn(callback: Record<string, string> = { code: 'the-code' }) {
  nonce = `n-${Math.random().toString(36).slice(2)}`;
  const transaction = { state: 's-1', nonce, codeVerifier: 'v'.repeat(43), returnTo: '/dashboard', silent: false };
  const url = new URL('http://localhost:3000/auth/callback');
  for (const [name, value] of Object.entries({ ...callback, state: transaction.state, iss: issuer })) url.searchParams.set(name, value);
  return finishSignIn(url, transaction, Math.floor(Date.now() / 1000));
}

/** The AuthError code a failed sign-in gives callback.ts, which shows it as the sign-in page's reason. */
async function refusal(callback?: Record<string, string>): Promise<string> {
  try {
    await signIn(callback);
  } catch (error) {
    assert.ok(isAuthError(error), String(error));
    return error.code;
  }
  return assert.fail('the sign-in was expected to fail');
}

test('the IdP\'s error in the callback URL (AuthorizationResponseError) is the IdP\'s answer: idp_error', async () => {
  assert.equal(await refusal({ error: 'access_denied' }), 'idp_error');
});

test('a refused client at the code exchange shows "client_refused", whether the IdP sends a challenge or not; the IdP down shows "idp_unavailable"; a refused code "callback_failed"', async (t) => {
  t.mock.method(console, 'error', () => {});
  const rows: [string, (res: ServerResponse) => void, string][] = [
    ['401 with a challenge (oidc-provider, client_secret_basic)', (res) => json(res, { error: 'invalid_client' }, 401, { 'www-authenticate': 'Basic realm="idp", error="invalid_client"' }), 'client_refused'],
    ['401 invalid_client', (res) => json(res, { error: 'invalid_client' }, 401), 'client_refused'],
    ['403 invalid_client', (res) => json(res, { error: 'invalid_client' }, 403), 'client_refused'],
    ['503', (res) => res.writeHead(503).end(), 'idp_unavailable'],
    ['no answer before the timeout', () => {}, 'idp_unavailable'],
    ['400 invalid_grant', (res) => json(res, { error: 'invalid_grant' }, 400), 'callback_failed'],
    ['200 broken JSON', (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{'), 'callback_failed'],
  ];
  for (const [answer, reply, reason] of rows) {
    tokenReply = reply;
    assert.equal(await refusal(), reason, answer);
  }
});

test('an ID token signed with the IdP\'s published key signs in; the JWKS is fetched once and kept', async () => {
  tokenReply = signedBy(idpKey);
  const fetchesBefore = jwksFetches;
  assert.equal((await signIn()).subject, 'alice');
  assert.equal((await signIn()).subject, 'alice');
  assert.equal(jwksFetches - fetchesBefore, 1);
});

test('an ID token signed by a foreign key is refused ("callback_failed"), under the IdP\'s kid or another', async () => {
  const fetchesBefore = jwksFetches;
  const forger = await generateKeyPair('RS256');
  tokenReply = signedBy({ ...forger, kid: idpKey.kid });
  assert.equal(await refusal(), 'callback_failed');
  // One refetch, in case the IdP had replaced its key: still not the signer.
  assert.equal(jwksFetches - fetchesBefore, 1);
  tokenReply = signedBy({ ...forger, kid: 'unknown' });
  assert.equal(await refusal(), 'callback_failed');
});

test('after the IdP rotates its signing key, sign-in works after one JWKS refetch, and the next one fetches nothing', async () => {
  const rotated = await newKey('k2');
  jwksReply = await published(rotated, idpKey);
  tokenReply = signedBy(rotated);
  const fetchesBefore = jwksFetches;
  assert.equal((await signIn()).subject, 'alice');
  assert.equal(jwksFetches - fetchesBefore, 1);
  assert.equal((await signIn()).subject, 'alice');
  assert.equal(jwksFetches - fetchesBefore, 1);
  idpKey = rotated;
});

test('after the IdP replaces its key under the same kid (a dev IdP restarted), sign-in works after one JWKS refetch', async () => {
  const replaced = await newKey(idpKey.kid);
  jwksReply = await published(replaced);
  tokenReply = signedBy(replaced);
  const fetchesBefore = jwksFetches;
  assert.equal((await signIn()).subject, 'alice');
  assert.equal(jwksFetches - fetchesBefore, 1);
  idpKey = replaced;
});

test('a new key while the JWKS cannot be read: "idp_unavailable", not a forged sign-in', async () => {
  jwksReply = (res) => res.writeHead(503).end();
  tokenReply = signedBy(await newKey('k3'));
  assert.equal(await refusal(), 'idp_unavailable');
});
