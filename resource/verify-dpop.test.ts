import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { createNotesApi } from './handler.js';
import { NotesStore } from './notes-store.js';
import { createReplayCache } from './replay-cache.js';
import { createDpopChecker } from './verify-dpop.js';
import { createTokenVerifier } from './verify-token.js';

/**
 * The notes API with DPoP-bound tokens (RFC 9449): a token bound to a key is served only
 * with a proof of that key made for this request, and refused when replayed as a bearer
 * token; tokens without a binding keep working as bearer tokens.
 */
const IDP_PORT = 4380;
const API_PORT = 4381;
const issuer = `http://127.0.0.1:${IDP_PORT}`;
const base = `http://127.0.0.1:${API_PORT}`;
const AUDIENCE = 'urn:renewal:notes';
const ALGS = 'algs="ES256 PS256 EdDSA RS256"';
let idp: Server;
let api: Server;
let signingKey: CryptoKey;

before(async () => {
  const keys = await generateKeyPair('RS256', { extractable: true });
  signingKey = keys.privateKey;
  const jwks = { keys: [{ ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
  idp = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(req.url === '/jwks' ? jwks : { issuer, jwks_uri: `${issuer}/jwks` }));
  });
  await new Promise<void>((resolve) => idp.listen(IDP_PORT, '127.0.0.1', resolve));
  api = createServer(createNotesApi({ verifier: createTokenVerifier(issuer, AUDIENCE, 'notes'), store: new NotesStore() }));
  await new Promise<void>((resolve) => api.listen(API_PORT, '127.0.0.1', resolve));
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

async function accessToken(sub: string, claims: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({ scope: 'notes', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'at+jwt' })
    .setIssuer(issuer)
    .setAudience(AUDIENCE)
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(signingKey);
}

const bound = (sub: string, key: Holder) => accessToken(sub, { cnf: { jkt: key.jkt } });
const ath = (token: string) => createHash('sha256').update(token).digest('base64url');
const nowSec = () => Math.floor(Date.now() / 1000);

type ProofShape = { htm?: string; htu?: string; ath?: string; iat?: number; jti?: string | null; key?: Holder; header?: Record<string, unknown> };

async function proof(by: Holder, method: string, url: string, token: string, shape: ProofShape = {}): Promise<string> {
  const signer = shape.key ?? by;
  const jti = shape.jti === undefined ? randomBytes(12).toString('base64url') : shape.jti;
  return new SignJWT({ htm: shape.htm ?? method, htu: shape.htu ?? url, ath: shape.ath ?? ath(token), iat: shape.iat ?? nowSec(), ...(jti === null ? {} : { jti }) })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: signer.jwk, ...shape.header })
    .sign(signer.privateKey);
}

/** An unsigned JWT with the given header: what no signing library will make. */
function unsigned(header: Record<string, unknown>, payload: Record<string, unknown>, signature = ''): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part(header)}.${part(payload)}.${signature}`;
}

function call(path: string, method: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${base}${path}`, { method, headers: { ...headers, 'content-type': 'application/json' }, ...(method === 'POST' ? { body: JSON.stringify({ text: 'bound' }) } : {}) });
}

/** node:http, for what fetch will not send: two DPoP header fields, another Host. */
function raw(path: string, headers: Record<string, string | string[]>): Promise<{ status: number; challenge: string | undefined }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port: API_PORT, path, headers }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, challenge: res.headers['www-authenticate'] });
    })
      .on('error', reject)
      .end();
  });
}

test('a DPoP-bound token with a proof made for each request is served: add, list, delete', async () => {
  const key = await holder();
  const token = await bound('dpop-owner', key);
  const at = (method: string, path: string) => proof(key, method, `${base}${path}`, token);
  const added = await call('/notes', 'POST', { authorization: `DPoP ${token}`, dpop: await at('POST', '/notes') });
  assert.equal(added.status, 201);
  const { note } = (await added.json()) as { note: { id: string } };
  const listed = await call('/notes?ignored=query', 'GET', { authorization: `DPoP ${token}`, dpop: await at('GET', '/notes') });
  assert.equal(listed.status, 200);
  assert.deepEqual(((await listed.json()) as { notes: Array<{ text: string }> }).notes.map((n) => n.text), ['bound']);
  const removed = await call(`/notes/${note.id}`, 'DELETE', { authorization: `DPoP ${token}`, dpop: await at('DELETE', `/notes/${note.id}`) });
  assert.equal(removed.status, 204);
});

test('a DPoP-bound token replayed as a bearer token, without its proof, is refused with a DPoP challenge', async () => {
  const key = await holder();
  const token = await bound('dpop-victim', key);
  const replayed = await call('/notes', 'GET', { authorization: `Bearer ${token}` });
  assert.equal(replayed.status, 401);
  assert.equal(
    replayed.headers.get('www-authenticate'),
    `DPoP realm="notes", error="invalid_token", error_description="the access token is bound to a key: present it with the DPoP scheme and a proof", ${ALGS}`,
  );
  assert.deepEqual(await replayed.json(), { error: 'invalid_token', error_description: 'the access token is bound to a key: present it with the DPoP scheme and a proof' });
  // With a proof beside it, a bound token sent as Bearer is still refused: the scheme is part of the binding.
  const withProof = await call('/notes', 'GET', { authorization: `Bearer ${token}`, dpop: await proof(key, 'GET', `${base}/notes`, token) });
  assert.equal(withProof.status, 401);
  assert.match(withProof.headers.get('www-authenticate') ?? '', /^DPoP realm="notes", error="invalid_token"/);
});

test('the DPoP scheme without a proof, or with two, is 401 invalid_dpop_proof', async () => {
  const key = await holder();
  const token = await bound('dpop-proofless', key);
  const without = await call('/notes', 'GET', { authorization: `DPoP ${token}` });
  assert.equal(without.status, 401);
  assert.equal(without.headers.get('www-authenticate'), `DPoP realm="notes", error="invalid_dpop_proof", error_description="exactly one DPoP proof is required", ${ALGS}`);
  const good = await proof(key, 'GET', `${base}/notes`, token);
  const two = await raw('/notes', { authorization: `DPoP ${token}`, dpop: [good, await proof(key, 'GET', `${base}/notes`, token)] });
  assert.equal(two.status, 401);
  assert.match(two.challenge ?? '', /error="invalid_dpop_proof", error_description="exactly one DPoP proof is required"/);
  // Neither of the two was spent: the good one still works alone.
  assert.equal((await call('/notes', 'GET', { authorization: `DPoP ${token}`, dpop: good })).status, 200);
});

test('a proof for another method, URL, token or key, too old or too new, replayed, unsigned, symmetric or carrying a private key is refused', async () => {
  const key = await holder();
  const stranger = await holder();
  const token = await bound('dpop-target', key);
  const url = `${base}/notes`;
  const now = nowSec();
  const reused = await proof(key, 'GET', url, token);
  assert.equal((await call('/notes', 'GET', { authorization: `DPoP ${token}`, dpop: reused })).status, 200);
  const claims = { htm: 'GET', htu: url, iat: now, jti: 'x', ath: ath(token) };
  const hmacSecret = new TextEncoder().encode('k'.repeat(32));
  const symmetricHeader: Record<string, unknown> = { typ: 'dpop+jwt', jwk: { kty: 'oct', k: 'a2traw' } };
  const cases: Array<[string, string, string]> = [
    ['another method', await proof(key, 'GET', url, token, { htm: 'POST' }), 'the DPoP proof is for another method'],
    ['another URL', await proof(key, 'GET', url, token, { htu: `${base}/other` }), 'the DPoP proof is for another URL'],
    ['another port', await proof(key, 'GET', url, token, { htu: `http://127.0.0.1:4389/notes` }), 'the DPoP proof is for another URL'],
    ['another scheme', await proof(key, 'GET', url, token, { htu: `https://127.0.0.1:${API_PORT}/notes` }), 'the DPoP proof is for another URL'],
    ['another token', await proof(key, 'GET', url, token, { ath: ath('other') }), 'the DPoP proof is for another access token'],
    ['no ath', await new SignJWT({ htm: 'GET', htu: url, iat: now, jti: 'no-ath' }).setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk }).sign(key.privateKey), 'the DPoP proof is for another access token'],
    ['another key', await proof(key, 'GET', url, token, { key: stranger }), 'the DPoP proof is signed by another key than the token is bound to'],
    ['too old', await proof(key, 'GET', url, token, { iat: now - 120 }), 'the DPoP proof is too old (iat more than 60 s in the past)'],
    ['from the future', await proof(key, 'GET', url, token, { iat: now + 120 }), 'the DPoP proof is from the future (iat more than 60 s ahead)'],
    ['no jti', await proof(key, 'GET', url, token, { jti: null }), 'the DPoP proof has no jti'],
    ['replayed', reused, 'the DPoP proof was used before'],
    ['alg none', unsigned({ alg: 'none', typ: 'dpop+jwt', jwk: key.jwk }, claims), "the DPoP proof's alg must be one of ES256, PS256, EdDSA, RS256"],
    ['HS256', await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', ...symmetricHeader }).sign(hmacSecret), "the DPoP proof's alg must be one of ES256, PS256, EdDSA, RS256"],
    ['another typ', await proof(key, 'GET', url, token, { header: { typ: 'JWT' } }), 'the DPoP proof is not of type dpop+jwt'],
    ['no jwk', await proof(key, 'GET', url, token, { header: { jwk: undefined } }), 'the DPoP proof carries no public key in its header'],
    ['a private key in the header', await proof(key, 'GET', url, token, { header: { jwk: { ...key.jwk, d: 'c2VjcmV0' } } }), 'the DPoP proof carries private key material in its header'],
    ['a forged signature', `${(await proof(key, 'GET', url, token)).split('.').slice(0, 2).join('.')}.${randomBytes(64).toString('base64url')}`, 'the DPoP proof does not verify (ERR_JWS_SIGNATURE_VERIFICATION_FAILED)'],
    ['not a JWT', 'not-a-jwt', 'the DPoP proof is not a JWT'],
  ];
  for (const [name, dpop, description] of cases) {
    const refused = await call('/notes', 'GET', { authorization: `DPoP ${token}`, dpop });
    assert.equal(refused.status, 401, name);
    assert.equal(refused.headers.get('www-authenticate'), `DPoP realm="notes", error="invalid_dpop_proof", error_description="${description.replaceAll('"', '')}", ${ALGS}`, name);
    assert.deepEqual(await refused.json(), { error: 'invalid_dpop_proof', error_description: description }, name);
  }
});

test('htu is compared after normalisation: scheme and host case, the default port', async () => {
  const key = await holder();
  const token = await bound('dpop-normal', key);
  const upper = await proof(key, 'GET', `HTTP://127.0.0.1:${API_PORT}/notes`, token);
  assert.equal((await call('/notes', 'GET', { authorization: `DPoP ${token}`, dpop: upper })).status, 200);
  // Host as the client wrote it, port 80 implied on both sides.
  const viaHost = await raw('/notes', { host: 'Notes.Example', authorization: `DPoP ${token}`, dpop: await proof(key, 'GET', 'http://notes.example:80/notes', token) });
  assert.equal(viaHost.status, 200);
  const wrongHost = await raw('/notes', { host: 'notes.example', authorization: `DPoP ${token}`, dpop: await proof(key, 'GET', `${base}/notes`, token) });
  assert.equal(wrongHost.status, 401);
  assert.match(wrongHost.challenge ?? '', /error_description="the DPoP proof is for another URL"/);
});

test('a request whose URL cannot be told is 400: a malformed Host, a target naming another host', async () => {
  for (const [path, host] of [
    ['/notes', 'a b'],
    ['/notes', 'evil.example/x?'],
    ['/notes', 'user@evil.example'],
    ['//evil.example/notes', `127.0.0.1:${API_PORT}`],
  ] as const) {
    assert.equal((await raw(path, { host })).status, 400, `${host} ${path}`);
  }
});

test('a token without a binding works as a bearer token, and is refused under the DPoP scheme', async () => {
  const token = await accessToken('bearer-owner');
  assert.equal((await call('/notes', 'GET', { authorization: `Bearer ${token}` })).status, 200);
  assert.equal((await call('/notes', 'GET', { authorization: `bearer ${token}` })).status, 200, 'the scheme is case-insensitive');
  const key = await holder();
  const asDpop = await call('/notes', 'GET', { authorization: `DPoP ${token}`, dpop: await proof(key, 'GET', `${base}/notes`, token) });
  assert.equal(asDpop.status, 401);
  assert.equal(asDpop.headers.get('www-authenticate'), `DPoP realm="notes", error="invalid_token", error_description="the access token is not bound to a key: present it with the Bearer scheme", ${ALGS}`);
});

test('a token bound to something other than a key (an mTLS certificate) is refused either way', async () => {
  const token = await accessToken('cert-bound', { cnf: { 'x5t#S256': 'abc' } });
  const key = await holder();
  const presented: Array<Record<string, string>> = [{ authorization: `Bearer ${token}` }, { authorization: `DPoP ${token}`, dpop: await proof(key, 'GET', `${base}/notes`, token) }];
  for (const headers of presented) {
    const refused = await call('/notes', 'GET', headers);
    assert.equal(refused.status, 401);
    assert.match(refused.headers.get('www-authenticate') ?? '', /^DPoP realm="notes", error="invalid_token", error_description="the access token is bound in a way this API cannot check"/);
  }
});

test('no Authorization: the Bearer challenge and a DPoP challenge naming the algorithms', async () => {
  const none = await fetch(`${base}/notes`);
  assert.equal(none.status, 401);
  assert.equal(none.headers.get('www-authenticate'), `Bearer realm="notes", error="invalid_token", error_description="a Bearer or DPoP access token is required", DPoP ${ALGS}`);
  const fields = await raw('/notes', {});
  assert.deepEqual(fields.challenge, `Bearer realm="notes", error="invalid_token", error_description="a Bearer or DPoP access token is required", DPoP ${ALGS}`);
});

test('a token without the scope is 403, its challenge parseable (no quotes inside the description)', async () => {
  const key = await holder();
  const token = await accessToken('no-scope', { scope: 'openid', cnf: { jkt: key.jkt } });
  const refused = await call('/notes', 'GET', { authorization: `DPoP ${token}`, dpop: await proof(key, 'GET', `${base}/notes`, token) });
  assert.equal(refused.status, 403);
  assert.equal(refused.headers.get('www-authenticate'), `DPoP realm="notes", error="insufficient_scope", error_description="the notes scope is required", ${ALGS}`);
});

// The checker alone, with a clock of its own: the iat window's edges and the replay cache's memory.
test('iat: 60 s either side passes, 61 s does not; a jti is remembered until no proof carrying it could pass', async () => {
  const key = await holder();
  const token = 'a.b.c';
  const url = new URL('http://api.example/notes');
  let now = 1_000_000;
  const checkDpop = createDpopChecker({ now: () => now, replays: createReplayCache(120, 10) });
  const check = async (shape: ProofShape) =>
    checkDpop({ scheme: 'DPoP', accessToken: token, claims: { cnf: { jkt: key.jkt } }, proofs: [await proof(key, 'GET', url.href, token, shape)], method: 'GET', url });
  assert.deepEqual(await check({ iat: now - 60 }), { ok: true });
  assert.deepEqual(await check({ iat: now + 60 }), { ok: true });
  assert.match(((await check({ iat: now - 61 })) as { description: string }).description, /too old/);
  assert.match(((await check({ iat: now + 61 })) as { description: string }).description, /from the future/);
  // A proof dated a window ahead passes until now + 120: its jti must be refused that long, and may be forgotten after.
  assert.deepEqual(await check({ iat: now + 60, jti: 'late' }), { ok: true });
  now += 119;
  assert.deepEqual(await check({ iat: now - 59, jti: 'late' }), { ok: false, error: 'invalid_dpop_proof', description: 'the DPoP proof was used before' });
  now += 1;
  assert.deepEqual(await check({ iat: now - 60, jti: 'late' }), { ok: true }, 'by now no proof with the first iat could pass');
});

test('the checker decides by the binding: bearer without cnf passes untouched, no proof needed', async () => {
  const checkDpop = createDpopChecker();
  const url = new URL('http://api.example/notes');
  assert.deepEqual(await checkDpop({ scheme: 'Bearer', accessToken: 't', claims: { sub: 's' }, proofs: [], method: 'GET', url }), { ok: true });
  assert.deepEqual(await checkDpop({ scheme: 'Bearer', accessToken: 't', claims: { cnf: { jkt: 'x' } }, proofs: [], method: 'GET', url }), {
    ok: false,
    error: 'invalid_token',
    description: 'the access token is bound to a key: present it with the DPoP scheme and a proof',
  });
});

test('a key imported for an earlier proof still checks every signature: a proof naming that key but signed by another is refused', async () => {
  const key = await holder();
  const forger = await holder();
  const token = 'a.b.c';
  const url = new URL('http://api.example/notes');
  const checkDpop = createDpopChecker();
  const check = async (signed: string) => checkDpop({ scheme: 'DPoP', accessToken: token, claims: { cnf: { jkt: key.jkt } }, proofs: [signed], method: 'GET', url });
  assert.deepEqual(await check(await proof(key, 'GET', url.href, token)), { ok: true });
  // The bound key's JWK in the header, the forger's signature.
  const forged = await new SignJWT({ htm: 'GET', htu: url.href, ath: ath(token), iat: nowSec(), jti: randomBytes(12).toString('base64url') })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk })
    .sign(forger.privateKey);
  assert.deepEqual(await check(forged), { ok: false, error: 'invalid_dpop_proof', description: 'the DPoP proof does not verify (ERR_JWS_SIGNATURE_VERIFICATION_FAILED)' });
  assert.deepEqual(await check(await proof(key, 'GET', url.href, token)), { ok: true });
});
