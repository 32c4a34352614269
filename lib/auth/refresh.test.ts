import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Db } from '../db/client';
import { createTestDb, type TestDb, testDatabaseKinds } from '../db/test-db';
import type { RefreshResult } from './oidc';
import { createRenewer, hashRefreshToken, type RenewerDeps } from './refresh';
import { sealTokens } from './session-cookie';
import type { SessionData, TokenSet } from './session-data';

const cookie = { secrets: { 1: 'c'.repeat(32) }, secure: false, absoluteLifetimeSec: 3600 };
for (const kind of testDatabaseKinds()) {
describe(`refresh coordination on ${kind}`, () => {
  let testDb: TestDb;
  let db: Db;
  before(async () => {
    testDb = await createTestDb(kind);
    db = testDb.db;
  });
  after(() => testDb.close());

  let clock = 1_800_000_000;
  let sid = '';

  /** An IdP that rotates strictly: each refresh token works once. */
  function rotatingIdp(delayMs = 50) {
    const spent = new Set<string>();
    let issued = 0;
    const calls: string[] = [];
    const refresh = async (refreshToken: string): Promise<RefreshResult> => {
      calls.push(refreshToken);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (spent.has(refreshToken)) return { kind: 'terminal', error: 'invalid_grant' };
      spent.add(refreshToken);
      issued += 1;
      return { kind: 'ok', tokens: { accessToken: `at-${issued}`, refreshToken: `rt-${issued}`, expiresAt: clock + 60, issuedAt: clock } };
    };
    return { refresh, calls };
  }

  function renewer(refresh: RenewerDeps['refresh'], graceSec = 60) {
    return createRenewer({ db, cookie, graceSec, refreshTimeoutMs: 1000, refresh, now: () => clock });
  }

  async function newSession(tokens: TokenSet = { accessToken: 'at-0', refreshToken: 'rt-0', expiresAt: clock - 1, issuedAt: clock - 61 }): Promise<SessionData> {
    sid = `sid-${Math.random().toString(36).slice(2)}-${Date.now()}`;
    const user = await db.user.create({ data: { id: `u-${sid}`, issuer: 'https://idp.test/', subject: `alice-${sid}` } });
    await db.session.create({
      data: {
        id: sid,
        userId: user.id,
        absoluteExpiresAt: new Date((clock + 3600) * 1000),
        refreshTokenHash: hashRefreshToken(tokens.refreshToken!),
        latestTokens: await sealTokens(tokens, cookie),
      },
    });
    return { v: 1, sid, userId: user.id, sub: 'alice', createdAt: clock - 100, tokenVersion: 0, tokens };
  }

  beforeEach(() => {
    clock += 1000;
  });

  test('concurrent renewals of one session make exactly one refresh, and all adopt its result', async () => {
    const idp = rotatingIdp();
    const renew = renewer(idp.refresh);
    const session = await newSession();
    const outcomes = await Promise.all(Array.from({ length: 30 }, () => renew(session, clock)));
    assert.deepEqual(idp.calls, ['rt-0']);
    for (const outcome of outcomes) {
      assert.equal(outcome.kind, 'renewed');
      assert.equal(outcome.kind === 'renewed' && outcome.session.tokens.refreshToken, 'rt-1');
      assert.equal(outcome.kind === 'renewed' && outcome.session.tokenVersion, 1);
    }
    const row = await db.session.findUniqueOrThrow({ where: { id: sid } });
    assert.equal(row.tokenVersion, 1);
    assert.equal(row.refreshTokenHash, hashRefreshToken('rt-1'));
    assert.equal(row.previousRefreshTokenHash, hashRefreshToken('rt-0'));
    assert.equal(row.leaseOwner, null);
    assert.equal(await db.auditEvent.count({ where: { sessionId: sid, type: 'refresh' } }), 1);
  });

  test('two processes (two renewers, one database) still refresh once', async () => {
    const idp = rotatingIdp(150);
    const first = renewer(idp.refresh);
    const second = renewer(idp.refresh);
    const session = await newSession();
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? first : second)(session, clock)));
    assert.equal(idp.calls.length, 1);
    assert.ok(outcomes.every((outcome) => outcome.kind === 'renewed'));
  });

  test('a request with the pre-rotation cookie within the grace window adopts the new tokens without calling the IdP', async () => {
    const idp = rotatingIdp();
    const session = await newSession();
    await renewer(idp.refresh)(session, clock);
    clock += 30;
    const late = await renewer(idp.refresh)(session, clock);
    assert.equal(idp.calls.length, 1);
    assert.equal(late.kind === 'renewed' && late.session.tokens.accessToken, 'at-1');
  });

  test('after the grace window a spent refresh token is never sent to the IdP', async () => {
    const idp = rotatingIdp();
    const session = await newSession();
    await renewer(idp.refresh)(session, clock);
    clock += 61;
    assert.deepEqual(await renewer(idp.refresh)(session, clock), { kind: 'terminal', reason: 'superseded' });
    assert.deepEqual(idp.calls, ['rt-0']);
    const row = await db.session.findUniqueOrThrow({ where: { id: sid } });
    assert.equal(row.revokedAt, null, 'a stale copy must not end the live session');
  });

  test('invalid_grant revokes the session and records why', async () => {
    const session = await newSession();
    const outcome = await renewer(async () => ({ kind: 'terminal', error: 'invalid_grant' }))(session, clock);
    assert.deepEqual(outcome, { kind: 'terminal', reason: 'refresh_failed' });
    const row = await db.session.findUniqueOrThrow({ where: { id: sid } });
    assert.equal(row.revokedReason, 'refresh_failed');
    assert.equal(row.latestTokens, null);
    const event = await db.auditEvent.findFirstOrThrow({ where: { sessionId: sid, type: 'refresh_failed' } });
    assert.equal(event.reason, 'invalid_grant');
  });

  test('a transient failure keeps the session, releases the lease and backs off before asking again', async () => {
    let calls = 0;
    const renew = renewer(async () => {
      calls += 1;
      return { kind: 'transient', error: 'http_503' };
    });
    const session = await newSession();
    assert.deepEqual(await renew(session, clock), { kind: 'transient' });
    assert.deepEqual(await renew(session, clock), { kind: 'transient' });
    assert.equal(calls, 1, 'the second request within the back-off must not reach the IdP');
    const row = await db.session.findUniqueOrThrow({ where: { id: sid } });
    assert.equal(row.revokedAt, null);
    assert.equal(row.leaseOwner, null);
    clock += 3;
    await renew(session, clock);
    assert.equal(calls, 2);
  });

  test('a lease left by a crashed instance expires and another instance completes the renewal', async () => {
    const idp = rotatingIdp();
    const session = await newSession();
    await db.session.update({ where: { id: sid }, data: { leaseOwner: 'crashed-instance', leaseUntil: new Date(Date.now() + 400) } });
    const started = Date.now();
    const outcome = await renewer(idp.refresh)(session, clock);
    assert.equal(outcome.kind, 'renewed');
    assert.ok(Date.now() - started >= 300, 'waited for the lease to expire');
    assert.deepEqual(idp.calls, ['rt-0']);
  });

  test('a refresh finishing after sign-out does not bring the session back', async () => {
    const session = await newSession();
    const renew = renewer(async () => {
      await db.session.update({ where: { id: sid }, data: { revokedAt: new Date(), revokedReason: 'signed_out' } });
      return { kind: 'ok', tokens: { accessToken: 'at-x', refreshToken: 'rt-x', expiresAt: clock + 60, issuedAt: clock } };
    });
    assert.deepEqual(await renew(session, clock), { kind: 'terminal', reason: 'revoked' });
    const row = await db.session.findUniqueOrThrow({ where: { id: sid } });
    assert.equal(row.revokedReason, 'signed_out');
    assert.equal(row.tokenVersion, 0);
  });

  test('an IdP that does not rotate: the old refresh token is kept and later cookies adopt', async () => {
    let calls = 0;
    const renew = renewer(async (refreshToken) => {
      calls += 1;
      return { kind: 'ok', tokens: { accessToken: `at-${calls}`, refreshToken, expiresAt: clock + 60, issuedAt: clock } };
    });
    const session = await newSession();
    const first = await renew(session, clock);
    assert.equal(first.kind === 'renewed' && first.session.tokens.refreshToken, 'rt-0');
    // Past the grace window, yet the token is not spent: adopting stays safe.
    clock += 59;
    const later = await createRenewer({ db, cookie, graceSec: 10, refreshTimeoutMs: 1000, refresh: async () => assert.fail('must adopt, not refresh'), now: () => clock })(session, clock);
    assert.equal(later.kind === 'renewed' && later.session.tokens.accessToken, 'at-1');
  });
});
}
