import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { NextRequest } from 'next/server';
import { createTestDb, type TestDb } from '../../db/test-db';
import type { SessionData } from '../session-payload';

/**
 * POST /auth/logout against a local IdP that offers RFC 7009 revocation (failing, here)
 * and RP-initiated logout, and POST /auth/backchannel-logout with its logout tokens, with
 * sessions recorded in a fresh database.
 */
let server: Server;
let issuer: string;
let testDb: TestDb;
let revocations = 0;
let idpKey: Awaited<ReturnType<typeof generateKeyPair>>;
let handleLogout: typeof import('./logout').handleLogout;
let handleBackchannelLogout: typeof import('./backchannel-logout').handleBackchannelLogout;
let runtime: typeof import('../refresh/runtime');
let cookies: typeof import('../cookie/sealed-cookie');
let refresh: typeof import('../refresh/coordination');

const APP = 'http://localhost:3000';

before(async () => {
  idpKey = await generateKeyPair('RS256', { extractable: true });
  const jwks = { keys: [{ ...(await exportJWK(idpKey.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
  server = createServer((req, res) => {
    req.resume();
    if (req.url === '/.well-known/openid-configuration') {
      return res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({ issuer, authorization_endpoint: `${issuer}/auth`, token_endpoint: `${issuer}/token`, revocation_endpoint: `${issuer}/revoke`, end_session_endpoint: `${issuer}/session/end`, jwks_uri: `${issuer}/jwks`, id_token_signing_alg_values_supported: ['RS256'] }),
      );
    }
    if (req.url === '/jwks') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
    if (req.url === '/revoke') {
      revocations += 1;
      return res.writeHead(503).end();
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  testDb = await createTestDb();
  Object.assign(process.env, { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: 'app', OIDC_CLIENT_SECRET: 'secret', REFRESH_TIMEOUT_MS: '500', DATABASE_URL: testDb.url });
  ({ handleLogout } = await import('./logout'));
  ({ handleBackchannelLogout } = await import('./backchannel-logout'));
  runtime = await import('../refresh/runtime');
  cookies = await import('../cookie/sealed-cookie');
  refresh = await import('../refresh/coordination');
});
after(async () => {
  server.closeAllConnections();
  server.close();
  await testDb.close();
});

/** A signed-in session, recorded in the registry; returns it and its Cookie header. */
async function signedIn(sid: string, idpSid?: string): Promise<{ session: SessionData; cookie: string }> {
  const now = runtime.nowSeconds();
  const tokens = { accessToken: 'at', refreshToken: `rt-${sid}`, idToken: `id-token-${sid}`, expiresAt: now + 300, issuedAt: now };
  await testDb.db.user.create({ data: { id: `u-${sid}`, issuer: `${issuer}/`, subject: sid } });
  await testDb.db.session.create({
    data: { id: sid, userId: `u-${sid}`, idpSid, absoluteExpiresAt: new Date((now + 3600) * 1000), refreshTokenHash: refresh.hashRefreshToken(tokens.refreshToken), latestTokens: await cookies.sealTokens(tokens, runtime.cookieSettings()) },
  });
  const session: SessionData = { v: 1, sid, userId: `u-${sid}`, sub: sid, createdAt: now, tokenVersion: 0, tokens };
  const writes = cookies.sessionCookieWrites(await runtime.sealForCookie(session), { get: () => undefined, getAll: () => [] }, runtime.cookieSettings(), 3600);
  return { session, cookie: writes.map((write) => `${write.name}=${write.value}`).join('; ') };
}

function signOut(cookie: string, origin: string): Promise<Response> {
  return handleLogout(new NextRequest(`${APP}/auth/logout`, { method: 'POST', headers: { cookie, origin } }));
}

test("sign-out with the IdP's revocation failing still signs out: registry row ended, cookie cleared, then RP-initiated logout with id_token_hint, post_logout_redirect_uri and state", async () => {
  const { cookie } = await signedIn('signing-out-0123456789abcdef');
  const response = await signOut(cookie, APP);

  assert.equal(revocations, 1, 'the refresh token was offered for revocation');
  assert.equal(response.status, 303);
  assert.equal(response.headers.get('cache-control'), 'no-store');
  // Pages this browser cached while signed in are dropped: Back shows nothing of them.
  assert.equal(response.headers.get('clear-site-data'), '"cache"');
  const location = new URL(response.headers.get('location') ?? '');
  assert.equal(`${location.origin}${location.pathname}`, `${issuer}/session/end`);
  assert.equal(location.searchParams.get('id_token_hint'), 'id-token-signing-out-0123456789abcdef');
  assert.equal(location.searchParams.get('post_logout_redirect_uri'), `${APP}/`);
  const state = location.searchParams.get('state');
  assert.ok(state && state.length >= 22);
  const setCookies = response.headers.getSetCookie();
  assert.ok(setCookies.some((line) => /^renewal-session=;.*Max-Age=0/.test(line)), 'the session cookie is cleared');
  assert.ok(setCookies.some((line) => line.includes(`=${state};`)), 'the state is kept for the return');
  const row = await testDb.db.session.findUniqueOrThrow({ where: { id: 'signing-out-0123456789abcdef' } });
  assert.ok(row.revokedAt, 'the registry row is ended');
});

test('sign-out posted from another site, or with no origin at all, changes nothing', async () => {
  const { cookie } = await signedIn('cross-site-0123456789abcdef');
  const before = revocations;
  for (const origin of ['https://evil.example', 'null']) {
    const response = await signOut(cookie, origin);
    assert.equal(response.status, 403, origin);
    assert.deepEqual(response.headers.getSetCookie(), [], origin);
  }
  const noOrigin = await handleLogout(new NextRequest(`${APP}/auth/logout`, { method: 'POST', headers: { cookie, 'sec-fetch-site': 'cross-site' } }));
  assert.equal(noOrigin.status, 403);
  assert.equal(revocations, before);
  const row = await testDb.db.session.findUniqueOrThrow({ where: { id: 'cross-site-0123456789abcdef' } });
  assert.equal(row.revokedAt, null);
});

test('sign-out is POST only: the route exports no GET, so a link or an image cannot sign anyone out', () => {
  const route = readFileSync('app/auth/logout/route.ts', 'utf8');
  assert.deepEqual([...route.matchAll(/export const (\w+)/g)].map((match) => match[1]), ['POST']);
});

/** A logout token for the IdP session `idpSid`, signed with `key` (the IdP's by default). */
function logoutToken(idpSid: string, jti: string, key: CryptoKey = idpKey.privateKey): Promise<string> {
  return new SignJWT({ sid: idpSid, events: { 'http://schemas.openid.net/event/backchannel-logout': {} } })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'logout+jwt' })
    .setIssuer(issuer)
    .setAudience('app')
    .setIssuedAt()
    .setExpirationTime('2m')
    .setJti(jti)
    .sign(key);
}

function backchannelLogout(token: string): Promise<Response> {
  return handleBackchannelLogout(new NextRequest(`${APP}/auth/backchannel-logout`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ logout_token: token }) }));
}

test('back-channel logout: a valid token is answered 200, not cached, and ends the session; the same token again changes nothing; a forged one is 400', async (t) => {
  t.mock.method(console, 'warn', () => {});
  await signedIn('idp-ended-0123456789abcdef', 'idp-session-1');
  await signedIn('bystander-0123456789abcdef', 'idp-session-2');
  const ended = () => testDb.db.session.findMany({ where: { revokedAt: { not: null }, id: { in: ['idp-ended-0123456789abcdef', 'bystander-0123456789abcdef'] } }, select: { id: true } });

  const token = await logoutToken('idp-session-1', 'jti-1');
  const accepted = await backchannelLogout(token);
  assert.equal(accepted.status, 200);
  assert.equal(accepted.headers.get('cache-control'), 'no-store');
  assert.deepEqual(await ended(), [{ id: 'idp-ended-0123456789abcdef' }]);

  const replayed = await backchannelLogout(token);
  assert.equal(replayed.status, 400);
  const forged = await backchannelLogout(await logoutToken('idp-session-2', 'jti-2', (await generateKeyPair('RS256')).privateKey));
  assert.equal(forged.status, 400);
  assert.equal(forged.headers.get('cache-control'), 'no-store');
  assert.deepEqual(await ended(), [{ id: 'idp-ended-0123456789abcdef' }]);
});
