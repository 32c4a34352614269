import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Server } from 'node:http';
import { after, afterEach, before, test } from 'node:test';
import { generateKeyPair, SignJWT } from 'jose';
import Koa from 'koa';
import { resetProfiles, updateProfile } from './accounts';
import { userinfoForApiTokens } from './userinfo';

const PORT = 4396;
const BASE = `http://127.0.0.1:${PORT}`;
const ISSUER = 'http://127.0.0.1:4000';
const AUDIENCE = 'urn:renewal:notes';
const idpKey = await generateKeyPair('RS256');
const otherKey = await generateKeyPair('RS256');
let server: Server;

before(async () => {
  const app = new Koa();
  app.use(userinfoForApiTokens({ issuer: ISSUER, audience: AUDIENCE, publicKey: idpKey.publicKey, alg: 'RS256' }));
  app.use(async (ctx) => {
    ctx.body = { passedOn: true };
  });
  server = app.listen(PORT, '127.0.0.1');
  await once(server, 'listening');
});
after(() => server.close());
afterEach(resetProfiles);

/** An access token as oidc-provider issues them for the notes API (RFC 9068), with changes. */
function accessToken(options: { sub?: string; aud?: string; iss?: string; exp?: number; typ?: string; key?: CryptoKey } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ scope: 'notes', client_id: 'renewal-dev' })
    .setProtectedHeader({ alg: 'RS256', typ: options.typ ?? 'at+jwt', kid: 'dev-idp-1' })
    .setSubject(options.sub ?? 'alice')
    .setIssuer(options.iss ?? ISSUER)
    .setAudience(options.aud ?? AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(options.exp ?? now + 60)
    .setJti('jti-1')
    .sign(options.key ?? idpKey.privateKey);
}

const userinfo = (authorization?: string) => fetch(`${BASE}/me`, { headers: authorization ? { authorization } : {} });

async function assertRefused(authorization: string | undefined, why: string): Promise<void> {
  const response = await userinfo(authorization);
  assert.equal(response.status, 401, why);
  assert.equal(response.headers.get('www-authenticate'), 'Bearer error="invalid_token"', why);
  assert.equal(((await response.json()) as { error: string }).error, 'invalid_token', why);
}

test('a verified access token for the notes API gets the person\'s claims', async () => {
  const response = await userinfo(`Bearer ${await accessToken()}`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('cache-control'), 'no-store');
  assert.deepEqual(await response.json(), { sub: 'alice', name: 'Alice Liddell', email: 'alice@example.test', email_verified: true });
});

test('the claims are the person\'s current ones, after a profile change', async () => {
  updateProfile('bob', { name: 'Robert Builder', email: 'robert@example.test' });
  const response = await userinfo(`bearer ${await accessToken({ sub: 'bob' })}`);
  assert.deepEqual(await response.json(), { sub: 'bob', name: 'Robert Builder', email: 'robert@example.test', email_verified: true });
});

test('anything but a valid access token the IdP issued for the notes API is refused with 401 invalid_token', async () => {
  const valid = await accessToken();
  const [header, payload, signature] = valid.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: 'bob' })).toString('base64url')}.${signature}`;
  await assertRefused(`Bearer ${tampered}`, 'tampered payload');
  await assertRefused(`Bearer ${await accessToken({ aud: 'renewal-dev' })}`, 'wrong audience');
  await assertRefused(`Bearer ${await accessToken({ iss: 'http://elsewhere.example' })}`, 'wrong issuer');
  await assertRefused(`Bearer ${await accessToken({ key: otherKey.privateKey })}`, 'signed by another key');
  await assertRefused(`Bearer ${await accessToken({ exp: Math.floor(Date.now() / 1000) - 10 })}`, 'expired');
  await assertRefused(`Bearer ${await accessToken({ typ: 'JWT' })}`, 'an ID token (typ JWT), not an access token');
  await assertRefused(`Bearer ${await accessToken({ sub: 'mallory' })}`, 'nobody the IdP knows');
  await assertRefused('Bearer opaque-token-value', 'an opaque token');
  await assertRefused(`Basic ${Buffer.from('a:b').toString('base64')}`, 'not a bearer token');
  await assertRefused(undefined, 'no token');
});

test('other requests pass on to oidc-provider', async () => {
  assert.deepEqual(await (await fetch(`${BASE}/me`, { method: 'POST' })).json(), { passedOn: true });
  assert.deepEqual(await (await fetch(`${BASE}/jwks`)).json(), { passedOn: true });
});
