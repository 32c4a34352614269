import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Db } from '../../db/client';
import { createTestDb, type TestDb, testDatabaseKinds } from '../../db/test-db';

const DAY_MS = 24 * 3600 * 1000;
const policy = { retentionDays: 30, idleTimeoutSec: 24 * 3600 };

let retention: typeof import('./retention');
before(async () => {
  retention = await import('./retention');
});

for (const kind of testDatabaseKinds()) {
  describe(`retention on ${kind}`, () => {
    let testDb: TestDb;
    let db: Db;
    before(async () => {
      testDb = await createTestDb(kind);
      db = testDb.db;
      await db.user.create({ data: { id: 'u', issuer: 'https://idp.test/', subject: 'alice' } });
    });
    after(() => testDb.close());

    test('ended sessions and audit events go after RETENTION_DAYS, expired jtis at once; live sessions stay however old', async () => {
      const now = new Date();
      const ago = (days: number) => new Date(now.getTime() - days * DAY_MS);
      const session = (id: string, fields: { revokedAt?: Date; absoluteExpiresAt?: Date; lastSeenAt?: Date }) =>
        db.session.create({ data: { id, userId: 'u', createdAt: ago(100), lastSeenAt: fields.lastSeenAt ?? now, absoluteExpiresAt: fields.absoluteExpiresAt ?? ago(-1), revokedAt: fields.revokedAt } });
      await session('live-for-100-days', {});
      await session('revoked-10-days-ago', { revokedAt: ago(10) });
      await session('revoked-31-days-ago', { revokedAt: ago(31) });
      await session('expired-1-day-ago', { absoluteExpiresAt: ago(1) });
      await session('expired-31-days-ago', { absoluteExpiresAt: ago(31) });
      // Idle for a day ends a session: seen 30.5 days ago, it ended 29.5 days ago.
      await session('idle-ended-29-days-ago', { lastSeenAt: ago(30.5) });
      await session('idle-ended-31-days-ago', { lastSeenAt: ago(32) });
      for (let i = 0; i < 5; i++) await db.auditEvent.create({ data: { type: 'refresh', sessionId: 'live-for-100-days', at: ago(31) } });
      await db.auditEvent.create({ data: { type: 'sign_out', sessionId: 'revoked-31-days-ago', at: ago(31) } });
      await db.auditEvent.create({ data: { type: 'rejected', sessionId: 'revoked-31-days-ago', at: ago(29) } });
      await db.logoutToken.create({ data: { jti: 'expired', expiresAt: new Date(now.getTime() - 1000) } });
      await db.logoutToken.create({ data: { jti: 'still-acceptable', expiresAt: new Date(now.getTime() + 60_000) } });
      await db.sessionEnd.create({ data: { sessionId: 'ended-2-hours-ago', atMs: BigInt(now.getTime() - 2 * 3600_000) } });
      await db.sessionEnd.create({ data: { sessionId: 'ended-10-minutes-ago', atMs: BigInt(now.getTime() - 600_000) } });
      await db.stepUpIntent.create({ data: { id: 'expired-intent', sessionId: 'live-for-100-days', action: '{}', returnTo: '/', expiresAt: new Date(now.getTime() - 1000) } });
      await db.stepUpIntent.create({ data: { id: 'pending-intent', sessionId: 'live-for-100-days', action: '{}', returnTo: '/', expiresAt: new Date(now.getTime() + 60_000) } });

      // Counts the deletes, to see the work split into statements of at most `batchSize` rows.
      const deletes: number[] = [];
      const counted = db.$extends({
        query: {
          $allModels: {
            async deleteMany({ args, query }) {
              const result = await query(args);
              deletes.push(result.count);
              return result;
            },
          },
        },
      }) as unknown as Db;
      const pruned = await retention.pruneRegistry(counted, now, policy, 2);

      assert.deepEqual(pruned, { auditEvents: 6, sessions: 3, logoutTokens: 1, sessionEnds: 1, stepUpIntents: 1 });
      assert.ok(deletes.every((count) => count <= 2), `rows per delete: ${deletes.join(', ')}`);
      const sessions = (await db.session.findMany({ select: { id: true }, orderBy: { id: 'asc' } })).map((row) => row.id);
      assert.deepEqual(sessions, ['expired-1-day-ago', 'idle-ended-29-days-ago', 'live-for-100-days', 'revoked-10-days-ago']);
      const events = await db.auditEvent.findMany({ select: { type: true, sessionId: true } });
      assert.deepEqual(events, [{ type: 'rejected', sessionId: null }], 'a recent event outlives its session, without the link');
      assert.deepEqual((await db.logoutToken.findMany({ select: { jti: true } })).map((row) => row.jti), ['still-acceptable']);
      assert.deepEqual((await db.stepUpIntent.findMany({ select: { id: true } })).map((row) => row.id), ['pending-intent']);
      // Removing a session that never ended by revocation logs its end (the triggers): read within seconds, kept an hour.
      const ends = (await db.sessionEnd.findMany({ select: { sessionId: true }, orderBy: { sessionId: 'asc' } })).map((row) => row.sessionId);
      assert.deepEqual(ends, ['ended-10-minutes-ago', 'expired-31-days-ago', 'idle-ended-31-days-ago']);
      assert.deepEqual(await retention.pruneRegistry(db, now, policy), { auditEvents: 0, sessions: 0, logoutTokens: 0, sessionEnds: 0, stepUpIntents: 0 }, 'nothing left to do');
    });
  });
}

describe('pruning from the request path', () => {
  let testDb: TestDb;
  before(async () => {
    testDb = await createTestDb();
    // pruneHourly works through the app's db(), which reads DATABASE_URL on first use.
    process.env.DATABASE_URL = testDb.url;
  });
  after(() => testDb.close());

  test('runs at most once an hour per process, in the background', async () => {
    const oldEvent = () => testDb.db.auditEvent.create({ data: { type: 'refresh', at: new Date(Date.now() - 31 * DAY_MS) } });
    const start = Date.now();
    await oldEvent();
    assert.deepEqual(await retention.pruneHourly(start), { auditEvents: 1, sessions: 0, logoutTokens: 0, sessionEnds: 0, stepUpIntents: 0 });
    await oldEvent();
    assert.equal(retention.pruneHourly(start + 59 * 60 * 1000), undefined, 'within the hour: not again');
    assert.equal(await testDb.db.auditEvent.count(), 1);
    assert.deepEqual(await retention.pruneHourly(start + 61 * 60 * 1000), { auditEvents: 1, sessions: 0, logoutTokens: 0, sessionEnds: 0, stepUpIntents: 0 });
  });
});
