import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHash } from 'node:crypto';
import {
  COOKIE_BUDGET,
  type CookieJar,
  readSessionCookie,
  sealSession,
  sealSessionCookie,
  sealTokens,
  sealValue,
  sessionCookieClears,
  sessionCookieWrites,
  type Unsealed,
  unsealSession,
  unsealTokens,
  unsealValue,
} from './sealed-cookie';
import { isReference, type SessionData, sessionDataSchema, type SessionReference, withTokens } from '../session-payload';

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

/** The tokens an unsealed cookie carries; fails for a reference. */
function tokensOf(read: Unsealed | undefined): SessionData['tokens'] {
  assert.ok(read && !isReference(read.session), 'a cookie that carries its tokens');
  return read.session.tokens;
}

function referenceTo(data: SessionData): SessionReference {
  const { tokens, ...fields } = data;
  return { ...fields, tokenRef: { refreshTokenHash: createHash('sha256').update(tokens.refreshToken!).digest('base64url') } };
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
  const big = session({ accessToken: 'x'.repeat(5000), refreshToken: 'y'.repeat(3000) });
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

test('the cookie never carries the ID token: the registry keeps it for sign-out', async () => {
  const withIdToken = session({ idToken: 'eyJ.id-token-with-directory-groups.sig' });
  const sealed = await sealSession(withIdToken, settings);
  const read = await unsealSession(sealed, settings);
  assert.equal(tokensOf(read).idToken, undefined);
  const { idToken: _, ...rest } = withIdToken.tokens;
  assert.deepEqual(tokensOf(read), rest);
  assert.ok(sealed.length < (await sealSession(session({ idToken: 'z'.repeat(3000) }), settings)).length + 100);
});

test('a refresh whose tokens grew past the budget wrote a cookie Node refuses (431) on every later request: no cookie over the budget is ever written', async () => {
  const grown = await sealSession(session({ accessToken: 'x'.repeat(9000) }), settings);
  assert.ok(grown.length > COOKIE_BUDGET && grown.length < 10 * 3800);
  assert.throws(() => sessionCookieWrites(grown, jar({}), settings, 3600), {
    name: 'RangeError',
    message: `renewal: a sealed session of ${grown.length} bytes is over the ${COOKIE_BUDGET}-byte cookie budget`,
  });
});

test('reference mode: tokens that fit the budget ride in the cookie as before; larger ones stay in the registry and the cookie names them', async () => {
  const fits = session({ accessToken: 'x'.repeat(8000) });
  const carrying = await sealSessionCookie(fits, referenceTo(fits), settings);
  assert.ok(carrying!.length <= COOKIE_BUDGET);
  assert.deepEqual(await unsealSession(carrying!, settings), { session: fits, stale: false });

  const grown = session({ accessToken: 'x'.repeat(9000), refreshToken: 'y'.repeat(40_000) });
  const referring = await sealSessionCookie(grown, referenceTo(grown), settings);
  assert.ok(referring!.length < 1000, `${referring!.length} bytes: one small chunk, whatever the tokens`);
  assert.equal(sessionCookieWrites(referring!, jar({}), settings, 3600).length, 1);
  assert.deepEqual(await unsealSession(referring!, settings), { session: referenceTo(grown), stale: false });
  // An instance from before reference mode reads it as unreadable, never as a session without tokens.
  assert.equal(sessionDataSchema.safeParse(referenceTo(grown)).success, false);
});

test('reference mode: a cookie too large even without its tokens (absurd profile claims) is not sealed at all', async () => {
  const absurd = { ...session({ accessToken: 'x'.repeat(9000) }), name: 'n'.repeat(COOKIE_BUDGET) };
  assert.equal(await sealSessionCookie(absurd, referenceTo(absurd), settings), undefined);
});

test('cookie attributes: HttpOnly, SameSite=Lax, Path=/, __Host- and Secure on https', async () => {
  const sealed = await sealSession(session(), settings);
  const [plain] = sessionCookieWrites(sealed, jar({}), settings, 100);
  assert.deepEqual(plain, { name: 'renewal-session', value: sealed, options: { httpOnly: true, secure: false, sameSite: 'lax', path: '/', maxAge: 100 } });
  const [secure] = sessionCookieWrites(sealed, jar({}), { ...settings, secure: true }, 100);
  assert.equal(secure!.name, '__Host-renewal-session');
  assert.equal(secure!.options.secure, true);
});

// A staged rotation, one rolling deploy per stage: every instance gets the new secret
// before any seals with it, so instances one stage behind read everything they are sent.
const OLD = 'o'.repeat(32);
const NEW = 'n'.repeat(32);
const stage0 = { ...settings, secrets: { 1: OLD } };
const stage1 = { ...settings, secrets: { 2: NEW, 1: OLD }, sealingSecretId: 1 };
const stage2 = { ...settings, secrets: { 2: NEW, 1: OLD } };

function secretIdOf(sealed: string): string | undefined {
  return sealed.split('*')[1];
}

test('a rolling secret rotation signed people out: an instance not yet updated could not read what an updated instance sealed', async () => {
  // The defect: `2:new,1:old` seals with 2 at once; instances still on `old` alone find
  // the cookie (and the registry's token set) unreadable, so the session ends as invalid.
  const sealed = await sealSession(session(), stage2);
  assert.equal(secretIdOf(sealed), '2');
  assert.equal(await unsealSession(sealed, stage0), undefined);
  assert.equal(await unsealTokens(await sealTokens(session().tokens, stage2), stage0), undefined);
});

test('staged rotation, stage 1: the new secret is accepted but the old one seals, so stage-0 instances read every seal', async () => {
  const sealed = await sealSession(session(), stage1);
  assert.equal(secretIdOf(sealed), '1');
  assert.deepEqual(await unsealSession(sealed, stage0), { session: session(), stale: false });
  assert.deepEqual(await unsealSession(sealed, stage1), { session: session(), stale: false });
  assert.deepEqual(await unsealSession(await sealSession(session(), stage0), stage1), { session: session(), stale: false });
  assert.deepEqual(await unsealTokens(await sealTokens(session().tokens, stage1), stage0), session().tokens);
  // The sign-in transaction too: a sign-in may start on one instance and end on another.
  const transaction = await sealValue({ state: 's' }, stage1, 600);
  assert.equal(secretIdOf(transaction), '1');
  assert.deepEqual(await unsealValue(transaction, stage0, 600), { state: 's' });
});

test('staged rotation, stage 2: the new secret seals, old seals are stale; stage-1 instances read new seals and leave them be', async () => {
  const sealed = await sealSession(session(), stage2);
  assert.equal(secretIdOf(sealed), '2');
  assert.equal(secretIdOf(await sealTokens(session().tokens, stage2)), '2');
  assert.deepEqual(await unsealSession(sealed, stage2), { session: session(), stale: false });
  assert.deepEqual(await unsealSession(await sealSession(session(), stage1), stage2), { session: session(), stale: true });
  // A stage-1 instance does not rewrite a newer seal back to the old secret: during the
  // second deploy the two stages would otherwise rewrite each other's cookies on every request.
  assert.deepEqual(await unsealSession(sealed, stage1), { session: session(), stale: false });
  // Stage 3 drops the old secret: seals made with it are no longer read.
  assert.equal(await unsealSession(await sealSession(session(), stage1), { ...settings, secrets: { 2: NEW } }), undefined);
});

test('a sealing secret id that is not among the secrets fails loudly instead of sealing with another', async () => {
  await assert.rejects(sealSession(session(), { ...stage2, sealingSecretId: 3 }), {
    name: 'TypeError',
    message: 'renewal: the sealing secret id 3 is not one of the session secrets',
  });
});

test('an iron seal holds one "~", before its version at the very end (the chunk reader relies on it)', async () => {
  const sealed = await sealSession(session({ accessToken: 'x'.repeat(5000) }), settings);
  assert.match(sealed, /^Fe26\.2\*1\*[^~]+~2$/);
});

/** Cookies as the browser holds them after applying `responses` in order. */
function applied(...responses: ReturnType<typeof sessionCookieWrites>[]): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const writes of responses) {
    for (const write of writes) {
      if (write.value) cookies[write.name] = write.value;
      else delete cookies[write.name];
    }
  }
  return cookies;
}

test('interleaved chunked responses signed people out: A0 + A1 then B0 alone joined into garbage; it reads as B now', async () => {
  // Response A renews a large session into two chunks; response B, whose request carried
  // a one-chunk cookie, sets B0 and clears nothing. The browser applies A, then B.
  // (iron-session ignores junk after the version when it starts with a non-digit, so the
  // old reader failed only when A1 started with a digit: pick such a seal.)
  let a: ReturnType<typeof sessionCookieWrites> = [];
  for (let attempt = 0; attempt < 500 && !/^\d/.test(a[1]?.value ?? ''); attempt++) {
    a = sessionCookieWrites(await sealSession(session({ accessToken: 'a'.repeat(3000) }), settings), jar({ 'renewal-session': 'one chunk' }), settings, 3600);
  }
  assert.equal(a.length, 2);
  assert.match(a[1]!.value, /^\d/);
  const bSession = session({ accessToken: 'b' });
  const b = sessionCookieWrites(await sealSession(bSession, settings), jar({ 'renewal-session': 'one chunk' }), settings, 3600);
  assert.equal(b.length, 1);

  const cookies = applied(a, b);
  assert.deepEqual(Object.keys(cookies), ['renewal-session', 'renewal-session.1']);
  assert.deepEqual(await unsealSession(readSessionCookie(jar(cookies), false)!, settings), { session: bSession, stale: false });
  // Applied the other way round, A wins whole.
  assert.equal(tokensOf(await unsealSession(readSessionCookie(jar(applied(b, a)), false)!, settings)).accessToken, 'a'.repeat(3000));
});

test('interleaved chunks: whichever response the browser applied last is read whole, whatever the chunk counts', async () => {
  // One to four chunks: COOKIE_BUDGET allows no more.
  const sizes = [10, 3000, 6000, 8500];
  const sessions = sizes.map((size) => session({ accessToken: 'x'.repeat(size), refreshToken: String(size) }));
  for (const [i, first] of sessions.entries()) {
    for (const [j, last] of sessions.entries()) {
      // A's request carried the largest cookie, so A clears the chunks it does not need;
      // B's carried one chunk, so B clears nothing: the worst case.
      const before = jar(applied(sessionCookieWrites(await sealSession(sessions[3]!, settings), jar({}), settings, 3600)));
      const a = sessionCookieWrites(await sealSession(first, settings), before, settings, 3600);
      const b = sessionCookieWrites(await sealSession(last, settings), jar({ 'renewal-session': 'one chunk' }), settings, 3600);
      const read = await unsealSession(readSessionCookie(jar(applied(a, b)), false)!, settings);
      assert.equal(tokensOf(read).refreshToken, String(sizes[j]), `${sizes[i]} then ${sizes[j]}`);
    }
  }
});

test('the reader stops at the end of the seal, also when a chunk ends right after its "~"', () => {
  const cookies = { 'renewal-session': 'Fe26.2*1*aaaa', 'renewal-session.1': 'bbbb~', 'renewal-session.2': '2', 'renewal-session.3': '9stale' };
  assert.equal(readSessionCookie(jar(cookies), false), 'Fe26.2*1*aaaabbbb~2');
  assert.equal(readSessionCookie(jar({ 'renewal-session': 'Fe26.2*1*aaaa~2', 'renewal-session.1': '9stale' }), false), 'Fe26.2*1*aaaa~2');
  // Without an end (not a seal at all), every chunk present is joined, as before.
  assert.equal(readSessionCookie(jar({ 'renewal-session': 'garbage', 'renewal-session.1': 'more' }), false), 'garbagemore');
  assert.equal(readSessionCookie(jar({ 'renewal-session.1': 'orphan' }), false), undefined);
});

test('a smaller session clears every stale chunk the request carried, also past a gap', async () => {
  const writes = sessionCookieWrites(await sealSession(session(), settings), jar({ 'renewal-session': 'x', 'renewal-session.2': 'y', 'renewal-session.x': 'z' }), settings, 3600);
  assert.deepEqual(writes.map((w) => [w.name, w.value === '' ? 'cleared' : 'set']), [
    ['renewal-session', 'set'],
    ['renewal-session.1', 'cleared'],
    ['renewal-session.2', 'cleared'],
  ]);
});

test('unsealing with node:crypto agrees with iron-session on good, tampered, foreign, expired and malformed seals', async () => {
  const { sealData, unsealData } = await import('iron-session');
  const { unsealIron } = await import('./iron-unseal');
  const secrets = { 1: 'a'.repeat(32), 2: 'b'.repeat(32) };
  const data = { hello: 'world', n: 42, nested: { list: [1, 2, 3] }, text: 'ünïcödé ✓' };
  const good = await sealData(data, { password: secrets, ttl: 3600 });
  assert.deepEqual(await unsealIron(good, secrets, 3600), data);
  assert.deepEqual(await unsealData(good, { password: secrets, ttl: 3600 }), data);
  const forever = await sealData(data, { password: secrets, ttl: 0 });
  assert.deepEqual(await unsealIron(forever, secrets, 3600), data, 'a seal without an expiry opens, as with iron-session');

  const flipped = good.replace(/\*([A-Za-z0-9_-])([A-Za-z0-9_-]*)\*(\d+)\*/, (_m, first: string, rest: string, exp: string) => `*${first === 'A' ? 'B' : 'A'}${rest}*${exp}*`);
  const foreign = await sealData(data, { password: { 1: 'c'.repeat(32) }, ttl: 3600 });
  const unknownId = await sealData(data, { password: { 7: 'a'.repeat(32) }, ttl: 3600 });
  const expired = await sealData(data, { password: secrets, ttl: -120 });
  const prototypeId = good.replace(/^Fe26\.2\*2\*/, 'Fe26.2*toString*');
  const shoutedMac = good.replace(/\*([^*]+)~2$/, (_m, mac: string) => `*${mac.toUpperCase()}~2`);
  for (const [label, bad] of [['tampered', flipped], ['an id of Object.prototype', prototypeId], ['mac in another case', shoutedMac], ['foreign secret', foreign], ['unknown id', unknownId], ['expired', expired], ['truncated', good.slice(0, -10)], ['garbage', 'Fe26.2*x~2']] as const) {
    assert.notEqual(bad, good, label);
    await assert.rejects(unsealIron(bad, secrets, 3600), Error, `${label}: node:crypto unseal must refuse it`);
    assert.deepEqual(await unsealData(bad, { password: secrets, ttl: 3600 }).catch(() => ({})), {}, `${label}: iron-session refuses it too`);
  }
});

test('fields a newer version added survive this one: unsealed, renewed with new tokens, sealed again, as a reference too', async () => {
  // What an instance one version ahead might seal: a session field and a token field this version does not know.
  const newer = { ...session(), laterField: { kept: true }, tokens: { ...session().tokens, laterTokenField: 'x' } };
  const read = await unsealSession(await sealSession(newer as SessionData, settings), settings);
  assert.ok(read);
  const renewed = withTokens(read.session, { accessToken: 'at-2', refreshToken: 'rt-2', expiresAt: 1_700_000_120, issuedAt: 1_700_000_060 });
  const again = await unsealSession(await sealSession(renewed, settings), settings);
  assert.deepEqual((again?.session as Record<string, unknown>).laterField, { kept: true });
  // The registry's copy of a token set keeps its unknown fields, and a session adopting it carries them.
  const kept = await unsealTokens(await sealTokens({ ...session().tokens, laterTokenField: 'y' } as SessionData['tokens'], settings), settings);
  assert.equal((kept as Record<string, unknown>).laterTokenField, 'y');
  assert.equal((withTokens(read.session, kept!).tokens as Record<string, unknown>).laterTokenField, 'y');
  const reference = await unsealSession(await sealSession(referenceTo(renewed), settings), settings);
  assert.ok(reference && isReference(reference.session));
  assert.deepEqual((reference.session as Record<string, unknown>).laterField, { kept: true });
});
