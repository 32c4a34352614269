import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Db } from '../db/client';
import { createTestDb, type TestDb } from '../db/test-db';
import type { SessionData } from './session-payload';

// checkRegistry reads through the app's db(), which takes DATABASE_URL from the
// environment on first use: point it at a fresh database before importing it.
let testDb: TestDb;
let db: Db;
let registry: typeof import('./registry-check');
const settings = { idleTimeoutSec: 3600, registryCheckSec: 5 };
const NOW = 2_000_000_000;

before(async () => {
  testDb = await createTestDb();
  db = testDb.db;
  process.env.DATABASE_URL = testDb.url;
  registry = await import('./registry-check');
  await db.user.create({ data: { id: 'u', issuer: 'https://idp.test/', subject: 'alice' } });
});
after(() => testDb.close());

async function session(id: string, lastSeen: number): Promise<SessionData> {
  await db.session.create({ data: { id, userId: 'u', absoluteExpiresAt: new Date((NOW + 86400) * 1000), lastSeenAt: new Date(lastSeen * 1000) } });
  return { v: 1, sid: id, userId: 'u', sub: 'alice', createdAt: NOW - 10, tokenVersion: 0, tokens: { accessToken: 'at', expiresAt: NOW + 60, issuedAt: NOW } };
}

test('an active session is active; an unknown one counts as revoked', async () => {
  assert.equal(await registry.checkRegistry(await session('active-0123456789', NOW - 10), NOW, settings), 'active');
  const ghost = { ...(await session('ghost-0123456789', NOW)), sid: 'not-in-the-registry' };
  assert.equal(await registry.checkRegistry(ghost, NOW, settings), 'revoked');
});

test('a session idle for longer than the timeout is idle', async () => {
  assert.equal(await registry.checkRegistry(await session('idle-0123456789', NOW - 3601), NOW, settings), 'idle');
});

test('the verdict is cached for the interval, and forgotten at once on a local revocation', async () => {
  const s = await session('cached-0123456789', NOW - 10);
  assert.equal(await registry.checkRegistry(s, NOW, settings), 'active');
  await db.session.update({ where: { id: s.sid }, data: { revokedAt: new Date(), revokedReason: 'elsewhere' } });
  assert.equal(await registry.checkRegistry(s, NOW + 4, settings), 'active', 'within the interval: cached');
  assert.equal(await registry.checkRegistry(s, NOW + 5, settings), 'revoked', 'after the interval: read again');

  const t = await session('forgotten-0123456789', NOW - 10);
  assert.equal(await registry.checkRegistry(t, NOW, settings), 'active');
  await db.session.update({ where: { id: t.sid }, data: { revokedAt: new Date() } });
  registry.forgetRegistryVerdict(t.sid);
  assert.equal(await registry.checkRegistry(t, NOW + 1, settings), 'revoked');
});

test('activity moves lastSeenAt forward, at most once a minute', async () => {
  const s = await session('touched-0123456789', NOW - 120);
  await registry.checkRegistry(s, NOW, settings);
  const row = await db.session.findUniqueOrThrow({ where: { id: s.sid } });
  assert.equal(row.lastSeenAt.getTime(), NOW * 1000);
  await registry.checkRegistry(s, NOW + 30, settings);
  const again = await db.session.findUniqueOrThrow({ where: { id: s.sid } });
  assert.equal(again.lastSeenAt.getTime(), NOW * 1000);
});
