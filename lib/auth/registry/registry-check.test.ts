import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Db } from '../../db/client';
import { createTestDb, type TestDb } from '../../db/test-db';
import type { SessionData } from '../session-payload';

// checkRegistry reads through the app's db(), which takes DATABASE_URL from the
// environment on first use: point it at a fresh database before importing it.
let testDb: TestDb;
let db: Db;
let registry: typeof import('./registry-check');
let activity: typeof import('./activity');
const settings = { idleTimeoutSec: 3600, registryCheckSec: 5, verdictCacheSize: 1000 };
const NOW = 2_000_000_000;

before(async () => {
  testDb = await createTestDb();
  db = testDb.db;
  process.env.DATABASE_URL = testDb.url;
  registry = await import('./registry-check');
  activity = await import('./activity');
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

test('with no feed of ended sessions, a verdict stands 5 s at most; it is forgotten at once on a local revocation', async () => {
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

test('a read in flight when a session\'s end is heard of answers its own request but is not cached', async () => {
  const s = await session('raced-0123456789', NOW - 10);
  const pending = registry.checkRegistry(s, NOW, settings);
  // Another instance ended the session; this process hears of it before its read answers.
  registry.forgetRegistryVerdict(s.sid);
  assert.equal(await pending, 'active', 'the read serves the request it was made for, sent before the end');
  await db.session.update({ where: { id: s.sid }, data: { revokedAt: new Date() } });
  assert.equal(await registry.checkRegistry(s, NOW + 1, settings), 'revoked', 'not cached: the next request reads again');
});

test('a read in flight when another session\'s end is heard of is cached: a render of its request may fall back on it', async () => {
  const s = await session('unraced-0123456789', NOW - 10);
  const pending = registry.checkRegistry(s, NOW, settings);
  registry.forgetRegistryVerdict('some-other-session');
  assert.equal(await pending, 'active');
  // The database stops answering between the proxy's check and the page's render.
  assert.equal(await withoutSessionsTable(() => registry.checkRegistryOrLastKnown(s, NOW + 1, settings)), 'active');
});

test('the person\'s activity moves lastSeenAt forward, at most once a minute, in the next batch', async () => {
  const s = await session('touched-0123456789', NOW - 120);
  const lastSeen = async () => (await db.session.findUniqueOrThrow({ where: { id: s.sid } })).lastSeenAt.getTime();
  await registry.checkRegistry(s, NOW, settings, true);
  assert.equal(await lastSeen(), (NOW - 120) * 1000, 'noted, not yet written');
  await activity.writeActivity();
  assert.equal(await lastSeen(), NOW * 1000);
  await registry.checkRegistry(s, NOW + 30, settings, true);
  assert.equal(await activity.writeActivity(), 0, 'within the minute: nothing more to write');
  await registry.checkRegistry(s, NOW + 61, settings, true);
  await activity.writeActivity();
  assert.equal(await lastSeen(), (NOW + 61) * 1000, 'touched again within the cached interval');
});

test('activity is written in one statement for every session active in the interval, and kept when the write fails', async () => {
  const sessions = await Promise.all(Array.from({ length: 5 }, (_, i) => session(`batched-${i}-0123456789`, NOW - 120)));
  for (const [i, s] of sessions.entries()) await registry.checkRegistry(s, NOW + i, settings, true);
  let statements = 0;
  let failNext = true;
  const counted = db.$extends({
    query: {
      session: {
        async updateMany({ args, query }) {
          statements += 1;
          if (failNext) {
            failNext = false;
            throw new Error('database unavailable');
          }
          return query(args);
        },
      },
    },
  }) as unknown as Db;
  await assert.rejects(activity.writeActivity(counted), /database unavailable/);
  assert.equal(await activity.writeActivity(counted), 5, 'kept for the next batch');
  assert.equal(statements, 2);
  const rows = await db.session.findMany({ where: { id: { in: sessions.map((s) => s.sid) } } });
  assert.deepEqual(new Set(rows.map((row) => row.lastSeenAt.getTime())), new Set([(NOW + 4) * 1000]), "stamped with the batch's latest activity");
});

test('idle timeout means the person is idle: background requests (a tab renewing itself) never move lastSeenAt', async () => {
  const s = await session('abandoned-tab-0123456789', NOW - 120);
  for (let t = 0; t <= 3600; t += 600) await registry.checkRegistry(s, NOW + t, settings, false);
  assert.equal((await db.session.findUniqueOrThrow({ where: { id: s.sid } })).lastSeenAt.getTime(), (NOW - 120) * 1000);
  assert.equal(await registry.checkRegistry(s, NOW + 3600, settings, false), 'idle');
});

test('a short idle timeout is touched often enough to be kept by activity', async () => {
  const short = { ...settings, idleTimeoutSec: 12 };
  const s = await session('short-idle-0123456789', NOW);
  for (let t = 3; t <= 30; t += 3) {
    assert.equal(await registry.checkRegistry(s, NOW + t, short, true), 'active', `after ${t} s of steady activity`);
    // The batch written within the 3 s its timer allows.
    await activity.writeActivity();
  }
});

test('back-channel logout ends the sessions its sid names, else every session of its sub at this issuer; each jti once', async () => {
  const { acceptLogoutTokenOnce, revokeForIdpLogout } = await import('./registry');
  await db.user.create({ data: { id: 'u2', issuer: 'https://idp.test/', subject: 'bob' } });
  const make = (id: string, userId: string, idpSid: string) =>
    db.session.create({ data: { id, userId, idpSid, absoluteExpiresAt: new Date((NOW + 86400) * 1000) } });
  await make('bcl-alice-laptop-0123456789', 'u', 'idp-sid-a');
  await make('bcl-alice-phone-0123456789', 'u', 'idp-sid-b');
  await make('bcl-bob-0123456789', 'u2', 'idp-sid-a');

  const bySid = await revokeForIdpLogout('https://idp.test/', { sid: 'idp-sid-a', sub: 'alice' }, new Date());
  assert.deepEqual(bySid.map((s) => s.id), ['bcl-alice-laptop-0123456789'], 'the sid, and only for that person');
  const bySub = await revokeForIdpLogout('https://idp.test/', { sub: 'alice' }, new Date());
  assert.ok(bySub.some((s) => s.id === 'bcl-alice-phone-0123456789'));
  assert.ok(bySub.every((s) => s.userId === 'u'), 'only alice\'s sessions');
  assert.equal(await db.session.count({ where: { userId: 'u', revokedAt: null } }), 0, 'every session of alice at this issuer');
  assert.equal((await revokeForIdpLogout('https://other-idp.test/', { sub: 'bob' }, new Date())).length, 0, 'another issuer\'s bob is someone else');
  assert.equal((await db.session.findUniqueOrThrow({ where: { id: 'bcl-bob-0123456789' } })).revokedAt, null);
  assert.equal((await db.session.findUniqueOrThrow({ where: { id: 'bcl-alice-laptop-0123456789' } })).revokedReason, 'idp_logout');

  const token = { jti: 'jti-1', sub: 'nobody', rememberUntil: new Date((NOW + 120) * 1000) };
  assert.deepEqual(await acceptLogoutTokenOnce('https://idp.test/', token, new Date(NOW * 1000)), []);
  assert.equal(await acceptLogoutTokenOnce('https://idp.test/', token, new Date(NOW * 1000)), undefined, 'a replay is refused');
});

test('for renders, a database that does not answer gets the last verdict read, if recent; otherwise the error', async () => {
  const s = await session('lastknown-0123456789', NOW - 10);
  assert.equal(await registry.checkRegistryOrLastKnown(s, NOW, settings), 'active');
  await db.$executeRawUnsafe('ALTER TABLE "Session" RENAME TO "SessionUnreachable"');
  try {
    await assert.rejects(registry.checkRegistry(s, NOW + 6, settings), 'the proxy and handlers still see the failure');
    assert.equal(await registry.checkRegistryOrLastKnown(s, NOW + 6, settings), 'active');
    await assert.rejects(registry.checkRegistryOrLastKnown(s, NOW + 31, settings), 'too old to stand in');
  } finally {
    await db.$executeRawUnsafe('ALTER TABLE "SessionUnreachable" RENAME TO "Session"');
  }
});

/** While the table is renamed away, any registry read fails: what proves a verdict was not read. */
async function withoutSessionsTable<T>(run: () => Promise<T>): Promise<T> {
  await db.$executeRawUnsafe('ALTER TABLE "Session" RENAME TO "SessionUnreachable"');
  try {
    return await run();
  } finally {
    await db.$executeRawUnsafe('ALTER TABLE "SessionUnreachable" RENAME TO "Session"');
  }
}

async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('the safety net confirms held verdicts in batches: one still live is trusted for another interval, one ended is forgotten', async () => {
  const live = await session('revalidated-live-0123456789', NOW - 10);
  const ended = await session('revalidated-ended-0123456789', NOW - 10);
  assert.equal(await registry.checkRegistry(live, NOW, settings), 'active');
  assert.equal(await registry.checkRegistry(ended, NOW, settings), 'active');
  await db.session.update({ where: { id: ended.sid }, data: { revokedAt: new Date(), revokedReason: 'elsewhere' } });
  await db.session.update({ where: { id: live.sid }, data: { lastSeenAt: new Date((NOW + 2) * 1000) } });

  await registry.revalidateVerdicts(settings, NOW + 1);
  await withoutSessionsTable(async () => {
    assert.equal(await registry.checkRegistry(ended, NOW + 2, settings), 'active', 'not yet half an interval old: not revalidated');
  });
  // Earlier tests' sessions, ended since, are forgotten too.
  assert.ok((await registry.revalidateVerdicts(settings, NOW + 3)) >= 1);
  assert.equal(await registry.checkRegistry(ended, NOW + 3, settings), 'revoked');
  await withoutSessionsTable(async () => {
    assert.equal(await registry.checkRegistry(live, NOW + 7, settings), 'active', 'confirmed at NOW + 3: stands until NOW + 8 without a read');
  });
});

// Last: it starts this process's feed of ended sessions, which the tests above run without.
test('while every end is heard of, a verdict stands until one is (REGISTRY_CHECK_INTERVAL at most); when the feed stops, 5 s at most', async () => {
  const long = { idleTimeoutSec: 600, registryCheckSec: 3600, verdictCacheSize: 1000 };
  const feed = registry.followEndedSessions(testDb.url);
  await eventually(async () => (Date.now() - feed.heardUntil() < 1000 ? true : undefined), 3000, 'the feed is current');

  const s = await session('trusted-0123456789', NOW - 10);
  assert.equal(await registry.checkRegistry(s, NOW, long), 'active');
  await withoutSessionsTable(async () => {
    assert.equal(await registry.checkRegistry(s, NOW + 590, long), 'active', 'not read again: nothing was heard');
  });
  await db.session.update({ where: { id: s.sid }, data: { revokedAt: new Date(), revokedReason: 'elsewhere' } });
  const heardInMs = Date.now();
  await eventually(async () => ((await registry.checkRegistry(s, NOW + 591, long)) === 'revoked' ? true : undefined), 1500, 'the end, written by another process, is heard of');
  assert.ok(Date.now() - heardInMs < 1500);

  const seenElsewhere = await session('seen-elsewhere-0123456789', NOW - 10);
  const unseen = await session('unseen-0123456789', NOW - 10);
  assert.equal(await registry.checkRegistry(seenElsewhere, NOW, long), 'active');
  assert.equal(await registry.checkRegistry(unseen, NOW, long), 'active');
  // Another instance saw the person: its activity batch moved lastSeenAt, which ends nothing.
  await db.session.update({ where: { id: seenElsewhere.sid }, data: { lastSeenAt: new Date((NOW + 300) * 1000) } });
  assert.equal(await registry.checkRegistry(seenElsewhere, NOW + 601, long), 'active', 'idle by this process\'s clock: read again, and active');
  assert.equal(await registry.checkRegistry(unseen, NOW + 601, long), 'idle');

  const netted = await session('safety-net-0123456789', NOW + 3000);
  assert.equal(await registry.checkRegistry(netted, NOW + 3000, long), 'active');
  await withoutSessionsTable(async () => {
    await assert.rejects(registry.checkRegistry(netted, NOW + 3000 + 3600, long), 'past REGISTRY_CHECK_INTERVAL: read again');
  });

  const orphaned = await session('feed-stopped-0123456789', NOW - 10);
  assert.equal(await registry.checkRegistry(orphaned, NOW, long), 'active');
  await feed.stop();
  await new Promise((resolve) => setTimeout(resolve, 9100));
  await withoutSessionsTable(async () => {
    assert.equal(await registry.checkRegistry(orphaned, NOW + 4, long), 'active', 'within 5 s');
    await assert.rejects(registry.checkRegistry(orphaned, NOW + 5, long), 'the feed is behind: verdicts stand 5 s, as before it');
    // A render while the database restarts: the verdict this process last relied on
    // stands in, however long ago it was read (a soak found a 500 here).
    assert.equal(await registry.checkRegistryOrLastKnown(orphaned, NOW + 33, long), 'active', 'relied on at NOW + 4');
    await assert.rejects(registry.checkRegistryOrLastKnown(orphaned, NOW + 35, long), 'relied on more than 30 s ago');
  });
});
