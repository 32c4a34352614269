import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { createLocalJWKSet, exportJWK, generateKeyPair, type JWTPayload, SignJWT, UnsecuredJWT } from 'jose';
import { BACKCHANNEL_LOGOUT_EVENT, type LogoutTokenRules, verifyLogoutToken } from './logout-token';

/** One test per rule of Back-Channel Logout 1.0 §2.6 (SECURITY-CHECKLIST D.34), with tokens signed by a test key. */
const ISSUER = 'https://idp.test';
const CLIENT = 'renewal-app';
const NOW = 2_000_000_000;
let privateKey: CryptoKey;
let otherKey: CryptoKey;
let rules: LogoutTokenRules;

before(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  privateKey = pair.privateKey;
  otherKey = (await generateKeyPair('RS256')).privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256' };
  rules = { issuer: ISSUER, clientId: CLIENT, keys: createLocalJWKSet({ keys: [jwk] }), algorithms: ['RS256'], now: NOW };
});

const GOOD: JWTPayload = { iss: ISSUER, aud: CLIENT, iat: NOW - 5, exp: NOW + 115, jti: 'jti-1', sid: 'idp-sid-1', sub: 'alice', events: { [BACKCHANNEL_LOGOUT_EVENT]: {} } };

function token(claims: JWTPayload = GOOD, header: Record<string, unknown> = { alg: 'RS256', kid: 'k1', typ: 'logout+jwt' }, key: CryptoKey = privateKey): Promise<string> {
  return new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(key);
}

function without(claim: string): JWTPayload {
  const { [claim]: _dropped, ...rest } = GOOD;
  return rest;
}

async function refused(jwt: string, pattern: RegExp): Promise<void> {
  const verdict = await verifyLogoutToken(jwt, rules);
  assert.equal(verdict.ok, false);
  assert.match(verdict.ok ? '' : verdict.description, pattern);
}

test('a valid logout token names its jti, sid and sub', async () => {
  assert.deepEqual(await verifyLogoutToken(await token(), rules), { ok: true, jti: 'jti-1', sid: 'idp-sid-1', sub: 'alice', acceptableUntil: NOW - 5 + 360 });
  assert.equal((await verifyLogoutToken(await token(GOOD, { alg: 'RS256', kid: 'k1', typ: 'application/logout+jwt' }), rules)).ok, true, 'the media type may be spelt in full');
  assert.equal((await verifyLogoutToken(await token(without('sid')), rules)).ok, true, 'sub alone is enough');
  assert.equal((await verifyLogoutToken(await token(without('sub')), rules)).ok, true, 'sid alone is enough');
});

test('alg none is refused', async () => {
  const [, payload] = new UnsecuredJWT(GOOD).encode().split('.');
  const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'logout+jwt' })).toString('base64url');
  await refused(`${header}.${payload}.`, /algorithm|signature|verified/);
});

test('an algorithm the IdP does not use is refused', async () => {
  const hs = await new SignJWT(GOOD).setProtectedHeader({ alg: 'HS256', typ: 'logout+jwt' }).sign(new TextEncoder().encode('x'.repeat(32)));
  await refused(hs, /algorithm/);
});

test('a bad signature is refused', async () => {
  await refused(await token(GOOD, { alg: 'RS256', kid: 'k1', typ: 'logout+jwt' }, otherKey), /signature/);
});

test('a wrong issuer or audience is refused', async () => {
  await refused(await token({ ...GOOD, iss: 'https://evil.test' }), /"iss"/);
  await refused(await token({ ...GOOD, aud: 'someone-else' }), /"aud"/);
});

test('a stale token (iat too old) or one without iat is refused', async () => {
  await refused(await token({ ...GOOD, iat: NOW - 3600, exp: NOW + 60 }), /"iat"/);
  await refused(await token(without('iat')), /"iat"/);
});

test('a token with a nonce is refused (an ID token must never pass for a logout token)', async () => {
  await refused(await token({ ...GOOD, nonce: 'n' }), /nonce/);
});

test('events missing, or without the back-channel logout member, is refused', async () => {
  await refused(await token(without('events')), /event/);
  await refused(await token({ ...GOOD, events: { 'http://example.com/other': {} } }), /event/);
  await refused(await token({ ...GOOD, events: { [BACKCHANNEL_LOGOUT_EVENT]: 'yes' } }), /event/);
});

test('neither sub nor sid is refused', async () => {
  const { sid: _sid, sub: _sub, ...neither } = GOOD;
  await refused(await token(neither), /neither a sid nor a sub/);
});

test('typ other than logout+jwt is refused', async () => {
  await refused(await token(GOOD, { alg: 'RS256', kid: 'k1', typ: 'JWT' }), /typ/);
});

test('typ absent is refused: an untyped JWT from the IdP (an ID token) is never read as a logout token', async () => {
  await refused(await token(GOOD, { alg: 'RS256', kid: 'k1' }), /no typ/);
});

test('a replay is refused for as long as it could pass: no token verifies after its jti may be forgotten', async () => {
  const issuedAt = NOW - 5;
  for (const claims of [GOOD, without('exp'), { ...GOOD, exp: issuedAt + 60 }, { ...GOOD, exp: issuedAt + 3600 }]) {
    const jwt = await token(claims);
    const verdict = await verifyLogoutToken(jwt, rules);
    assert.ok(verdict.ok && Number.isInteger(verdict.acceptableUntil));
    // Every instance's clock may run up to the tolerance behind the one that prunes.
    for (const lag of [0, 30]) {
      const late = await verifyLogoutToken(jwt, { ...rules, now: verdict.acceptableUntil + 1 - lag });
      assert.equal(late.ok, false, `exp ${claims.exp === undefined ? 'absent' : claims.exp - issuedAt}, clock ${lag} s behind`);
    }
  }
});

test('a token without jti is refused', async () => {
  await refused(await token(without('jti')), /"jti"/);
});

test('garbage is refused, never thrown', async () => {
  await refused('not-a-jwt', /not a JWT/);
});
