import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, EmbeddedJWK, jwtVerify } from 'jose';
import { json, type LocalIdp, startLocalIdp } from './local-idp.test-support';

/**
 * DPoP (RFC 9449) on the app's side, against a local IdP that binds tokens and demands a
 * nonce: the refresh carries a proof of the session's key, the IdP's use_dpop_nonce costs
 * one more request but never a second refresh, and calls to an API carry a proof bound to
 * the call and the token.
 */
let idp: LocalIdp;
const proofs: Array<{ proof: string | undefined; refreshToken: string | null }> = [];
const NONCE = 'nonce-from-the-idp';
let dpop: typeof import('./dpop');
let oidc: typeof import('./oidc');

before(async () => {
  idp = await startLocalIdp({
    jwks: (res) => json(res, { keys: [] }),
    token: () => undefined,
    tokenRequest(res, form, headers) {
      const proof = headers.dpop as string | undefined;
      proofs.push({ proof, refreshToken: form.get('refresh_token') });
      if (!proof || decodeJwt(proof).nonce !== NONCE) return json(res, { error: 'use_dpop_nonce', error_description: 'nonce required' }, 400, { 'dpop-nonce': NONCE });
      json(res, { access_token: 'bound-at', token_type: 'DPoP', expires_in: 60, refresh_token: 'rt-2' }, 200, { 'dpop-nonce': NONCE });
    },
  });
  Object.assign(process.env, { OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: 'app', OIDC_CLIENT_SECRET: 'secret', REFRESH_TIMEOUT_MS: '500' });
  dpop = await import('./dpop');
  oidc = await import('./oidc');
});
after(() => idp.close());

test('a refresh proves possession of the session\'s key; use_dpop_nonce is answered once, and the token is processed once', async () => {
  const key = await dpop.newDpopKey();
  const result = await oidc.refreshGrant('rt-1', 'alice', Math.floor(Date.now() / 1000), key);
  assert.ok(result.kind === 'ok');
  assert.equal(result.tokens.tokenType, 'DPoP');
  assert.equal(result.tokens.accessToken, 'bound-at');
  assert.equal(proofs.length, 2, 'one refused for its missing nonce, one processed');
  const last = proofs[1]!.proof!;
  const header = decodeProtectedHeader(last);
  assert.equal(header.typ, 'dpop+jwt');
  assert.equal(header.alg, 'ES256');
  assert.equal((header.jwk as Record<string, unknown> | undefined)?.d, undefined, 'the private key never leaves');
  assert.equal(await calculateJwkThumbprint(header.jwk!), await calculateJwkThumbprint({ kty: 'EC', crv: 'P-256', x: key.x, y: key.y }));
  const { payload } = await jwtVerify(last, EmbeddedJWK, { typ: 'dpop+jwt' });
  assert.equal(payload.htm, 'POST');
  assert.equal(payload.htu, `${idp.issuer}/token`);
  assert.equal(payload.nonce, NONCE);
});

test('a call to an API carries a proof bound to its method, its URL without the query, and the token (ath)', async () => {
  const key = await dpop.newDpopKey();
  const session = { dpopKey: key, tokens: { accessToken: 'bound-at', tokenType: 'DPoP' as const, expiresAt: 0, issuedAt: 0 } };
  const headers = await oidc.resourceAuthorization(session, 'DELETE', new URL('https://api.example/notes/n1?x=1#f'));
  assert.equal(headers.authorization, 'DPoP bound-at');
  const { payload, protectedHeader } = await jwtVerify(headers.dpop!, EmbeddedJWK, { typ: 'dpop+jwt' });
  assert.equal(payload.htm, 'DELETE');
  assert.equal(payload.htu, 'https://api.example/notes/n1');
  assert.equal(payload.ath, createHash('sha256').update('bound-at').digest('base64url'));
  assert.ok(typeof payload.jti === 'string' && payload.jti.length >= 16);
  assert.equal(await calculateJwkThumbprint(protectedHeader.jwk!), await calculateJwkThumbprint({ kty: 'EC', crv: 'P-256', x: key.x, y: key.y }));

  const bearer = await oidc.resourceAuthorization({ tokens: { accessToken: 'plain', expiresAt: 0, issuedAt: 0 } }, 'GET', new URL('https://api.example/notes'));
  assert.deepEqual(bearer, { authorization: 'Bearer plain' });
});
