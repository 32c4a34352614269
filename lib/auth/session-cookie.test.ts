import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type CookieJar,
  readSessionCookie,
  sealSession,
  sessionCookieClears,
  sessionCookieWrites,
  unsealSession,
} from './session-cookie';
import type { SessionData } from './session-data';

const settings = { secrets: { 1: 'a'.repeat(32) }, secure: false, absoluteLifetimeSec: 3600 };

function session(overrides: Partial<SessionData['tokens']> = {}): SessionData {
  return {
    v: 1,
    sid: 'sid-0123456789abcdef',
    userId: 'user-1',
    sub: 'alice',
    name: 'Alice',
    createdAt: 1_700_000_000,
    tokenVersion: 0,
    tokens: { accessToken: 'at', refreshToken: 'rt', expiresAt: 1_700_000_060, issuedAt: 1_700_000_000, ...overrides },
  };
}

function jar(cookies: Record<string, string>): CookieJar {
  return {
    get: (name) => (name in cookies ? { value: cookies[name]! } : undefined),
    getAll: () => Object.keys(cookies).map((name) => ({ name })),
  };
}

test('a sealed session unseals to the same data', async () => {
  const sealed = await sealSession(session(), settings);
  assert.deepEqual(await unsealSession(sealed, settings), { session: session(), stale: false });
});

test('tampered, truncated, garbage or foreign seals unseal to nothing', async () => {
  const sealed = await sealSession(session(), settings);
  const flipped = sealed.slice(0, 50) + (sealed[50] === 'x' ? 'y' : 'x') + sealed.slice(51);
  for (const bad of [flipped, sealed.slice(0, -10), 'garbage', '', 'Fe26.2*1*a*b*c*d*e*f~2']) {
    assert.equal(await unsealSession(bad, settings), undefined);
  }
  assert.equal(await unsealSession(sealed, { ...settings, secrets: { 1: 'b'.repeat(32) } }), undefined);
});

test('a payload of another version is refused', async () => {
  const sealed = await sealSession({ ...session(), v: 2 } as unknown as SessionData, settings);
  assert.equal(await unsealSession(sealed, settings), undefined);
});

test('secret rotation: an old seal still opens, marked stale; once its secret is gone it does not', async () => {
  const old = await sealSession(session(), settings);
  const rotated = { ...settings, secrets: { 2: 'n'.repeat(32), 1: 'a'.repeat(32) } };
  assert.equal((await unsealSession(old, rotated))?.stale, true);
  assert.equal((await unsealSession(await sealSession(session(), rotated), rotated))?.stale, false);
  assert.equal(await unsealSession(old, { ...settings, secrets: { 2: 'n'.repeat(32) } }), undefined);
});

test('large sessions are split into chunks under 4 KB and joined on read', async () => {
  const big = session({ accessToken: 'x'.repeat(5000), idToken: 'y'.repeat(3000) });
  const sealed = await sealSession(big, settings);
  const writes = sessionCookieWrites(sealed, jar({}), settings, 3600);
  assert.ok(writes.length >= 3);
  for (const write of writes) assert.ok(write.name.length + write.value.length < 4000);
  const cookies = Object.fromEntries(writes.map((w) => [w.name, w.value]));
  assert.deepEqual(await unsealSession(readSessionCookie(jar(cookies), false)!, settings), { session: big, stale: false });

  // A smaller session later clears the chunks it no longer needs.
  const small = sessionCookieWrites(await sealSession(session(), settings), jar(cookies), settings, 3600);
  assert.deepEqual(small.map((w) => [w.name, w.value === '' ? 'cleared' : 'set']), [
    ['renewal-session', 'set'],
    ...writes.slice(1).map((w) => [w.name, 'cleared']),
  ]);
  assert.equal(sessionCookieClears(jar(cookies), settings).length, writes.length);
});

test('cookie attributes: HttpOnly, SameSite=Lax, Path=/, __Host- and Secure on https', async () => {
  const sealed = await sealSession(session(), settings);
  const [plain] = sessionCookieWrites(sealed, jar({}), settings, 100);
  assert.deepEqual(plain, { name: 'renewal-session', value: sealed, options: { httpOnly: true, secure: false, sameSite: 'lax', path: '/', maxAge: 100 } });
  const [secure] = sessionCookieWrites(sealed, jar({}), { ...settings, secure: true }, 100);
  assert.equal(secure!.name, '__Host-renewal-session');
  assert.equal(secure!.options.secure, true);
});
