import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { NextRequest } from 'next/server';
import type { Db } from '../../db/client';
import { createTestDb, type TestDb, testDatabaseKinds } from '../../db/test-db';
import { acceptLogoutTokenOnce } from '../registry/registry';
import { handleBackchannelLogout, retryUntilApplied } from './backchannel-logout';

const ISSUER = 'https://idp.test/';
const NOW = 2_000_000_000;

function post(body: BodyInit, headers: Record<string, string> = {}): NextRequest {
  return new NextRequest('http://localhost/auth/backchannel-logout', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
    // A streamed body: Node's fetch requires saying it is sent half-duplex.
    duplex: 'half',
  } as ConstructorParameters<typeof NextRequest>[1]);
}

describe('the back-channel logout body is read with a bound', () => {
  test('a declared Content-Length over the bound is refused unread', async () => {
    const request = post('logout_token=x', { 'content-length': String(1024 * 1024) });
    const response = await handleBackchannelLogout(request);
    assert.equal(response.status, 400);
    assert.match((await response.json()).error_description, /too large/);
    assert.equal(request.bodyUsed, false);
  });

  test('a body without Content-Length is read no further than the bound', async () => {
    const chunk = new Uint8Array(1024).fill(0x61);
    let pulled = 0;
    const megabyte = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        controller.enqueue(chunk);
        if (pulled === 1024) controller.close();
      },
    });
    const response = await handleBackchannelLogout(post(megabyte));
    assert.equal(response.status, 400);
    assert.match((await response.json()).error_description, /too large/);
    assert.ok(pulled <= 20, `read ${pulled} KB of a body refused past 16 KB`);
  });
});

for (const kind of testDatabaseKinds()) {
  describe(`a logout token is acted on once, in one transaction, on ${kind}`, () => {
    let testDb: TestDb;
    let db: Db;
    before(async () => {
      testDb = await createTestDb(kind);
      db = testDb.db;
      await db.user.create({ data: { id: 'u', issuer: ISSUER, subject: 'alice' } });
    });
    after(() => testDb.close());

    const session = (id: string, idpSid: string) => db.session.create({ data: { id, userId: 'u', idpSid, absoluteExpiresAt: new Date((NOW + 86400) * 1000) } });
    const token = (jti: string, sid: string) => ({ jti, sid, sub: 'alice', rememberUntil: new Date((NOW + 360) * 1000) });
    const now = new Date(NOW * 1000);

    test('a failure after the jti is recorded leaves it unused, so the IdP\'s retry ends the session', async () => {
      await session('bcl-retry-0123456789', 'idp-sid-retry');
      // The revocation's audit write fails: a database error mid-way.
      await db.$executeRawUnsafe('ALTER TABLE "AuditEvent" RENAME TO "AuditEventUnreachable"');
      try {
        await assert.rejects(acceptLogoutTokenOnce(ISSUER, token('jti-retry', 'idp-sid-retry'), now, db));
      } finally {
        await db.$executeRawUnsafe('ALTER TABLE "AuditEventUnreachable" RENAME TO "AuditEvent"');
      }
      assert.equal(await db.logoutToken.count({ where: { jti: 'jti-retry' } }), 0, 'the jti is not consumed');
      assert.equal((await db.session.findUniqueOrThrow({ where: { id: 'bcl-retry-0123456789' } })).revokedAt, null, 'nothing half done');

      const ended = await acceptLogoutTokenOnce(ISSUER, token('jti-retry', 'idp-sid-retry'), now, db);
      assert.deepEqual(ended?.map((s) => s.id), ['bcl-retry-0123456789'], 'the retry is acted on');
      assert.equal((await db.session.findUniqueOrThrow({ where: { id: 'bcl-retry-0123456789' } })).revokedReason, 'idp_logout');
      assert.equal(await db.auditEvent.count({ where: { sessionId: 'bcl-retry-0123456789', type: 'idp_logout' } }), 1);
      assert.equal(await acceptLogoutTokenOnce(ISSUER, token('jti-retry', 'idp-sid-retry'), now, db), undefined, 'then it is a replay');
    });

    test('the same token delivered twice at once ends the session once; the other delivery is a replay', async () => {
      await session('bcl-twice-0123456789', 'idp-sid-twice');
      const outcomes = await Promise.all([1, 2].map(() => acceptLogoutTokenOnce(ISSUER, token('jti-twice', 'idp-sid-twice'), now, db)));
      assert.deepEqual(outcomes.map((ended) => ended?.length).sort(), [1, undefined]);
      assert.equal(await db.auditEvent.count({ where: { sessionId: 'bcl-twice-0123456789', type: 'idp_logout' } }), 1);
    });
  });
}

describe('a verified logout token the database could not take is tried again in this process', () => {
  // The retries' timers do not hold a process open (unref): a server's requests do; here, this.
  let alive: NodeJS.Timeout;
  before(() => {
    alive = setInterval(() => {}, 1000);
  });
  after(() => clearInterval(alive));

  test('every interval until the database takes it', async (t) => {
    t.mock.method(console, 'info', () => {});
    let calls = 0;
    const apply = async () => {
      calls += 1;
      if (calls < 3) throw new Error('the database system is shutting down');
    };
    assert.equal(await retryUntilApplied(apply, Date.now() + 5_000, 10), true);
    assert.equal(calls, 3);
  });

  test('no longer than the token would pass, saying so', async (t) => {
    const logged = t.mock.method(console, 'error', () => {});
    let calls = 0;
    const failing = async () => {
      calls += 1;
      throw new Error('down');
    };
    assert.equal(await retryUntilApplied(failing, Date.now() + 60, 10), false);
    assert.ok(calls >= 2 && calls <= 7, `${calls} attempts in 60 ms at 10 ms`);
    assert.match(String(logged.mock.calls.at(-1)?.arguments[0]), /never reached the database/);
  });
});
