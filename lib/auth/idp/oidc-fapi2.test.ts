import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { after, before, test } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { isAuthError } from '../errors';
import { json, type LocalIdp, startLocalIdp } from './local-idp.test-support';

/**
 * OIDC_PROFILE=fapi2 against a local IdP whose discovery document and token answers each
 * test chooses: an IdP lacking what the profile needs is not used at all, a bearer token is
 * refused at sign-in, and ID tokens are taken only with FAPI 2.0's algorithms.
 */
const CONFORMING = {
  dpop_signing_alg_values_supported: ['ES256'],
  token_endpoint_auth_methods_supported: ['private_key_jwt'],
  token_endpoint_auth_signing_alg_values_supported: ['ES256'],
  code_challenge_methods_supported: ['S256'],
  authorization_response_iss_parameter_supported: true,
  // RS256 too: openid-client then lets an RS256 ID token through, and the profile must not.
  id_token_signing_alg_values_supported: ['ES256', 'RS256'],
};

let metadata: Record<string, unknown> = {};
let tokenReply: (res: ServerResponse, headers: IncomingHttpHeaders) => Promise<void> = async () => {};
let idp: LocalIdp;
let nonce = '';
const revoked: string[] = [];
const userinfoAsked: Array<{ readonly authorization: string | undefined; readonly proof: boolean }> = [];
const keys = { ES256: await generateKeyPair('ES256', { extractable: true }), RS256: await generateKeyPair('RS256', { extractable: true }) };
let oidc: typeof import('./oidc');
let newDpopKey: typeof import('./dpop').newDpopKey;

before(async () => {
  idp = await startLocalIdp({
    metadata: () => metadata,
    async jwks(res) {
      json(res, { keys: await Promise.all(Object.entries(keys).map(async ([alg, key]) => ({ ...(await exportJWK(key.publicKey)), kid: alg, alg, use: 'sig' }))) });
    },
    token: () => {},
    tokenRequest: (res, _form, headers) => void tokenReply(res, headers),
    userinfo(res, authorization, headers) {
      userinfoAsked.push({ authorization, proof: typeof headers.dpop === 'string' });
      json(res, { sub: 'alice', name: 'Alice from userinfo', email: 'alice@example.test' });
    },
    revocation(res, form) {
      revoked.push(form.get('token') ?? '');
      res.writeHead(200).end();
    },
    par: (res) => json(res, { request_uri: 'urn:ietf:params:oauth:request_uri:x', expires_in: 60 }, 201),
  });
  const clientKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  Object.assign(process.env, { OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: 'app', OIDC_PROFILE: 'fapi2', OIDC_CLIENT_PRIVATE_KEY: clientKey, REFRESH_TIMEOUT_MS: '500' });
  oidc = await import('./oidc');
  ({ newDpopKey } = await import('./dpop'));
});
after(() => idp.close());

/** A later `now` than any cached discovery failure's retry time: the next call discovers again. */
let clock = Date.now();
const discoverAgain = () => oidc.oidcConfiguration((clock += 60_000));

async function idToken(alg: 'ES256' | 'RS256', profile: Record<string, string>): Promise<string> {
  return new SignJWT({ sub: 'alice', nonce, ...profile })
    .setProtectedHeader({ alg, kid: alg })
    .setIssuer(idp.issuer)
    .setAudience('app')
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(keys[alg].privateKey);
}

/**
 * The token endpoint's answer: `tokenType` tokens with an ID token signed `alg`, with the
 * person's name and email unless `profile` says otherwise; a DPoP proof must come with the request.
 */
function answering(tokenType: 'DPoP' | 'Bearer', alg: 'ES256' | 'RS256', profile: Record<string, string> = { name: 'Alice', email: 'alice@example.test' }) {
  return async (res: ServerResponse, headers: IncomingHttpHeaders) => {
    assert.ok(headers.dpop, 'the code exchange carries a DPoP proof');
    json(res, { access_token: 'at', token_type: tokenType, expires_in: 60, refresh_token: 'rt', id_token: await idToken(alg, profile) });
  };
}

async function signIn() {
  nonce = `n-${Math.random().toString(36).slice(2)}`;
  const transaction = { state: 's-1', nonce, codeVerifier: 'v'.repeat(43), returnTo: '/dashboard', silent: false };
  const url = new URL(`http://localhost:3000/auth/callback?code=c&state=s-1&iss=${encodeURIComponent(idp.issuer)}`);
  return oidc.finishSignIn(url, transaction, Math.floor(Date.now() / 1000), await newDpopKey());
}

async function refusal(attempt: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await attempt;
  } catch (error) {
    assert.ok(isAuthError(error), String(error));
    return { code: error.code, message: error.message };
  }
  throw new Error('expected a refusal');
}

test('an IdP lacking what FAPI 2.0 needs is not used: discovery fails naming every gap, and sign-in with it', async () => {
  metadata = { ...CONFORMING, dpop_signing_alg_values_supported: undefined, authorization_response_iss_parameter_supported: false };
  const refused = await refusal(discoverAgain());
  assert.equal(refused.code, 'discovery_failed');
  assert.match(refused.message, /^OIDC_PROFILE=fapi2, but the IdP at http:\/\/127\.0\.0\.1:\d+\/ does not offer: /);
  // The local IdP publishes its PAR endpoint; DPoP and the iss parameter are what it lacks.
  assert.match(refused.message, /DPoP \(RFC 9449\) with ES256 proofs: dpop_signing_alg_values_supported is not advertised; the iss authorization response parameter \(RFC 9207\)/);
  assert.doesNotMatch(refused.message, /pushed authorization requests/);
  assert.equal((await refusal(oidc.startSignIn('/dashboard'))).code, 'discovery_failed');
});

test('a conforming IdP: the authorization request is pushed, and a DPoP-bound sign-in with an ES256 ID token is taken', async () => {
  metadata = CONFORMING;
  await discoverAgain();
  const { url } = await oidc.startSignIn('/dashboard');
  assert.deepEqual([...url.searchParams.keys()].sort(), ['client_id', 'request_uri']);
  tokenReply = answering('DPoP', 'ES256');
  const signedIn = await signIn();
  assert.equal(signedIn.subject, 'alice');
  assert.equal(signedIn.tokens.tokenType, 'DPoP');
  assert.ok(signedIn.dpopKey);
});

test('a bearer token is refused at sign-in, and its grant revoked: the profile takes sender-constrained tokens only', async () => {
  metadata = CONFORMING;
  tokenReply = answering('Bearer', 'ES256');
  assert.deepEqual(await refusal(signIn()), { code: 'callback_failed', message: 'the IdP issued a bearer access token; OIDC_PROFILE=fapi2 accepts sender-constrained (DPoP) tokens only' });
  assert.deepEqual(revoked, ['rt']);
});

test('an ID token signed RS256 is refused, though the IdP lists RS256: FAPI 2.0 allows PS256, ES256 and EdDSA only', async () => {
  metadata = CONFORMING;
  tokenReply = answering('DPoP', 'RS256');
  assert.deepEqual(await refusal(signIn()), { code: 'callback_failed', message: 'the ID token\'s signature did not verify with the IdP\'s keys' });
});

test('profile claims missing from the ID token come from userinfo, asked with the DPoP-bound token and a proof', async () => {
  metadata = CONFORMING;
  tokenReply = answering('DPoP', 'ES256', {});
  const signedIn = await signIn();
  assert.equal(signedIn.name, 'Alice from userinfo');
  assert.deepEqual(userinfoAsked, [{ authorization: 'DPoP at', proof: true }]);
});
