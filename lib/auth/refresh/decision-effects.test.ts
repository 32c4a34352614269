import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDb, type TestDb } from '../../db/test-db';
import type { CookieJar } from '../cookie/sealed-cookie';
import type { SessionData } from '../session-payload';

// The request path reads through the app's db(), which takes DATABASE_URL from the
// environment on first use: point it at a fresh database before importing it.
let testDb: TestDb;
let runtime: typeof import('./runtime');
let effects: typeof import('./decision-effects');
let cookies: typeof import('../cookie/sealed-cookie');

before(async () => {
  testDb = await createTestDb();
  process.env.DATABASE_URL = testDb.url;
  runtime = await import('./runtime');
  effects = await import('./decision-effects');
  cookies = await import('../cookie/sealed-cookie');
});
after(() => testDb.close());

function jarOf(values: ReadonlyMap<string, string>): CookieJar {
  return { get: (name) => (values.has(name) ? { value: values.get(name)! } : undefined), getAll: () => [...values.keys()].map((name) => ({ name })) };
}

test('a cookie whose registry row is gone is rejected as revoked and cleared, not answered 503 (its audit entry has no row to point to)', async () => {
  const now = runtime.nowSeconds();
  const session: SessionData = {
    v: 1,
    sid: 'pruned-row-0123456789abcdef',
    userId: 'u-pruned',
    sub: 'alice',
    createdAt: now - 60,
    tokenVersion: 0,
    tokens: { accessToken: 'at', refreshToken: 'rt', expiresAt: now + 3600, issuedAt: now - 60 },
  };
  const settings = runtime.cookieSettings();
  const writes = cookies.sessionCookieWrites(await runtime.sealForCookie(session), jarOf(new Map()), settings, 3600);
  const jar = jarOf(new Map(writes.map((write) => [write.name, write.value])));

  // What the proxy and withSession do with a request (page-proxy.ts, server-session.ts).
  const decision = await runtime.validateRequest(jar);
  assert.deepEqual(decision.kind === 'rejected' && decision.reason, 'revoked');
  await effects.auditDecision(decision);
  const clears = await effects.cookieWritesFor(decision, jar);
  assert.ok(clears.length > 0 && clears.every((write) => write.value === '' && write.options.maxAge === 0), 'the cookie is cleared');

  const events = await testDb.db.auditEvent.findMany({ where: { type: 'rejected', userId: 'u-pruned' } });
  assert.deepEqual(events.map(({ sessionId, reason }) => ({ sessionId, reason })), [{ sessionId: null, reason: 'revoked' }]);
});

test('a renewal never extends the session: its cookie expires with the absolute lifetime counted from sign-in', async () => {
  const now = runtime.nowSeconds();
  const lifetime = runtime.cookieSettings().absoluteLifetimeSec;
  // Signed in almost a whole lifetime ago; the IdP has just issued an hour-long token.
  const session: SessionData = {
    v: 1,
    sid: 'renewed-late-0123456789abcdef',
    userId: 'u-late',
    sub: 'alice',
    createdAt: now - lifetime + 10,
    tokenVersion: 3,
    tokens: { accessToken: 'at', refreshToken: 'rt', expiresAt: now + 3600, issuedAt: now },
  };
  const writes = await effects.cookieWritesFor({ kind: 'renewed', session }, jarOf(new Map()));
  assert.ok(writes.length > 0);
  for (const write of writes) assert.ok(write.options.maxAge > 0 && write.options.maxAge <= 10, `Max-Age ${write.options.maxAge}`);
});
