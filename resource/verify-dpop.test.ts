import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { createNotesApi } from './handler.js';
import { NotesStore } from './notes-store.js';
import { createTokenVerifier } from './verify-token.js';

/**
 * The notes API with DPoP-bound tokens (RFC 9449): a token bound to a key is served only
 * with a proof of that key made for this request, and refused when replayed as a bearer
 * token; tokens without a binding keep working as bearer tokens.
 */
let idp: Server;
let api: Server;
let issuer = '';
let base = '';
let signingKey: CryptoKey;
const AUDIENCE = 'urn:renewal:notes';

before(async () => {
  const keys = await generateKeyPair('RS256', { extractable: true });
  signingKey = keys.privateKey;
  const jwks = { keys: [{ ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
  idp = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(req.url === '/jwks' ? jwks : { issuer, jwks_uri: `${issuer}/jwks` }));
  });
  await new Promise<void>((resolve) => idp.listen(4380, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
  api = createServer(createNotesApi({ verifier: createTokenVerifier(issuer, AUDIENCE, 'notes'), store: new NotesStore() }));
  await new Promise<void>((resolve) => api.listen(4381, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
after(() => {
  api.close();
  idp.close();
});

interface Holder {
  readonly privateKey: CryptoKey;
  readonly jwk: JWK;
  readonly jkt: string;
}

async function holder(): Promise<Holder> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  return { privateKey, jwk, jkt: await calculateJwkThumbprint(jwk) };
}

async function accessToken(sub: string, jkt?: string): Promise<string> {
  return new SignJWT({ scope: 'notes', ...(jkt ? { cnf: { jkt } } : {}) })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'at+jwt' })
    .setIssuer(issuer)
    .setAudience(AUDIENCE)
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(signingKey);
}

type ProofShape = { htm?: string; htu?: string; ath?: string; iat?: number; jti?: string; key?: Holder; header?: Record<string, unknown> };

async function proof(by: Holder, method: string, url: string, token: string, shape: ProofShape = {}): Promise<string> {
  const signer = shape.key ?? by;
  return new SignJWT({
    htm: shape.htm ?? method,
    htu: shape.htu ?? url,
    ath: shape.ath ?? createHash('sha256').update(token).digest('base64url'),
    jti: shape.jti ?? randomBytes(12).toString('base64url'),
    iat: shape.iat ?? Math.floor(Date.now() / 1000),
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: signer.jwk, ...shape.header })
    .sign(signer.privateKey);
}

function call(path: string, method: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${base}${path}`, { method, headers: { ...headers, 'content-type': 'application/json' }, ...(method === 'POST' ? { body: JSON.stringify({ text: 'bound' }) } : {}) });
}

test('a DPoP-bound token with a proof made for each request is served: add, list, delete', async () => {
  const key = await holder();
  const token = await accessToken('dpop-owner', key.jkt);
  const at = (method: string, path: string) => proof(key, method, `${base}${path}`, token);
  const added = await call('/notes', 'POST', { authorization: `DPoP ${token}`, dpop: await at('POST', '/notes') });
  assert.equal(added.status, 201);
  const { note } = (await added.json()) as { note: { id: string } };
  const listed = await call('/notes?ignored=query', 'GET', { authorization: `DPoP ${token}`, dpop: await at('GET', '/notes') });
  assert.equal(listed.status, 200);
  const removed = await call(`/notes/${note.id}`, 'DELETE', { authorization: `DPoP ${token}`, dpop: await at('DELETE', `/notes/${note.id}`) });
  assert.equal(removed.status, 204);
});

test('a DPoP-bound token replayed as a bearer token, without its proof, is refused with a DPoP challenge', async () => {
  const key = await holder();
  const token = await accessToken('dpop-victim', key.jkt);
  const replayed = await call('/notes', 'GET', { authorization: `Bearer ${token}` });
  assert.equal(replayed.status, 401);
  assert.match(replayed.headers.get('www-authenticate') ?? '', /^DPoP realm="notes", error="invalid_token", error_description="the access token is bound to a key[^"]*", algs="ES256 PS256 EdDSA RS256"$/);
  const withoutProof = await call('/notes', 'GET', { authorization: `DPoP ${token}` });
  assert.equal(withoutProof.status, 401);
  assert.match(withoutProof.headers.get('www-authenticate') ?? '', /error="invalid_dpop_proof", error_description="exactly one DPoP proof is required"/);
});

test('a proof for another method, URL, token or key, too old or too new, replayed, symmetric or carrying a private key is refused', async () => {
  const key = await holder();
  const stranger = await holder();
  const token = await accessToken('dpop-target', key.jkt);
  const url = `${base}/notes`;
  const now = Math.floor(Date.now() / 1000);
  const reused = await proof(key, 'GET', url, token);
  assert.equal((await call('/notes', 'GET', { authorization: `DPoP ${token}`, dpop: reused })).status, 200);
  const hmac = await new SignJWT({ htm: 'GET', htu: url, iat: now, jti: 'h' }).setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt' }).sign(new TextEncoder().encode('k'.repeat(32)));
  const cases: Array<[string, string, RegExp]> = [
    ['another method', await proof(key, 'GET', url, token, { htm: 'POST' }), /another method/],
    ['another URL', await proof(key, 'GET', url, token, { htu: `${base}/other` }), /another URL/],
    ['another token', await proof(key, 'GET', url, token, { ath: createHash('sha256').update('other').digest('base64url') }), /another access token/],
    ['another key', await proof(key, 'GET', url, token, { key: stranger }), /another key/],
    ['too old', await proof(key, 'GET', url, token, { iat: now - 120 }), /too old/],
    ['from the future', await proof(key, 'GET', url, token, { iat: now + 120 }), /from the future/],
    ['replayed', reused, /used before/],
    ['HS256', hmac, /public key/],
    ['a private key in the header', await proof(key, 'GET', url, token, { header: { jwk: { ...key.jwk, d: 'secret' } } }), /public key|does not verify/],
  ];
  for (const [name, dpop, why] of cases) {
    const refused = await call('/notes', 'GET', { authorization: `DPoP ${token}`, dpop });
    assert.equal(refused.status, 401, name);
    const challenge = refused.headers.get('www-authenticate') ?? '';
    assert.match(challenge, /^DPoP realm="notes", error="invalid_dpop_proof"/, name);
    assert.match(challenge, why, name);
  }
});

test('a token without a binding works as a bearer token, and is refused under the DPoP scheme', async () => {
  const token = await accessToken('bearer-owner');
  assert.equal((await call('/notes', 'GET', { authorization: `Bearer ${token}` })).status, 200);
  const key = await holder();
  const asDpop = await call('/notes', 'GET', { authorization: `DPoP ${token}`, dpop: await proof(key, 'GET', `${base}/notes`, token) });
  assert.equal(asDpop.status, 401);
  assert.match(asDpop.headers.get('www-authenticate') ?? '', /error="invalid_token", error_description="the access token is not bound to a key"/);
  const none = await fetch(`${base}/notes`);
  assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="notes", error="invalid_token", error_description="a Bearer or DPoP access token is required", DPoP algs="ES256 PS256 EdDSA RS256"');
});
