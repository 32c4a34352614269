import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testDatabaseKinds, useTestDb } from '../../db/test-db';
import { unsealTokens } from '../cookie/sealed-cookie';
import type { RefreshResult } from '../idp/refresh-result';
import type { ProfileClaims } from '../session-payload';
import { createRenewer } from './coordination';
import type { ClaimsSource } from './profile-claims';
import { createSession, TEST_COOKIE as cookie } from './renewal.test-support';

/**
 * Claims at renewal: what a refreshed ID token or userinfo says about the person reaches
 * the renewed session, every request that adopts it, the person's record and the trail;
 * userinfo is asked at most once per CLAIMS_REFRESH_INTERVAL, and its failure costs nothing.
 */
for (const kind of testDatabaseKinds()) {
describe(`claims at renewal on ${kind}`, () => {
  const testDb = useTestDb(kind);
  let clock = 1_800_000_000;
  const INTERVAL = 900;

  /** An IdP that rotates, and sends `claims` with its next answer. */
  function idp(claims?: () => ProfileClaims | undefined) {
    let issued = 0;
    return async (): Promise<RefreshResult> => {
      issued += 1;
      const sent = claims?.();
      return { kind: 'ok', tokens: { accessToken: `at-${issued}`, refreshToken: `rt-${issued}`, expiresAt: clock + 60, issuedAt: clock }, ...(sent ? { claims: sent } : {}) };
    };
  }

  function renewer(refresh: () => Promise<RefreshResult>, userinfo: ClaimsSource['userinfo'] = async () => assert.fail('userinfo was not expected')) {
    return createRenewer({
      db: testDb.db,
      cookie,
      graceSec: 60,
      refreshTimeoutMs: 1000,
      refresh,
      probe: async () => assert.fail('introspection was not expected'),
      revoke: async () => undefined,
      claims: { refreshIntervalSec: INTERVAL, userinfo },
      now: () => clock,
    });
  }

  async function signedIn() {
    clock += 10_000;
    const session = await createSession(testDb.db, clock);
    return { ...session, name: 'Alice Liddell', email: 'alice@example.test', claimsAt: clock - 100 };
  }

  test('a renamed person: the renewed session, an adopting request, the record and the trail all have the new name', async () => {
    const renew = renewer(idp(() => ({ name: 'Alice Kingsleigh' })));
    const session = await signedIn();
    const outcome = await renew(session, clock);
    assert.ok(outcome.kind === 'renewed');
    assert.equal(outcome.session.name, 'Alice Kingsleigh');
    assert.equal(outcome.session.email, 'alice@example.test', 'a claim the IdP left out keeps ours');
    assert.equal(outcome.session.claimsAt, clock);
    assert.equal(outcome.session.tokens.claims, undefined, 'the cookie\'s token set never carries them');

    // Another instance still holding the old cookie adopts: it shows the new name too.
    const adopted = await renewer(idp())(session, clock);
    assert.equal(adopted.kind === 'renewed' && adopted.session.name, 'Alice Kingsleigh');

    const user = await testDb.db.user.findUniqueOrThrow({ where: { id: session.userId } });
    assert.equal(user.name, 'Alice Kingsleigh');
    const events = await testDb.db.auditEvent.findMany({ where: { sessionId: session.sid, type: 'profile_updated' } });
    assert.deepEqual(events.map((event) => event.reason), ['name'], 'the trail names the claim, never its value');
  });

  test('unchanged claims write nothing to the record or the trail', async () => {
    const session = await signedIn();
    const outcome = await renewer(idp(() => ({ name: 'Alice Liddell', email: 'alice@example.test' })))(session, clock);
    assert.equal(outcome.kind, 'renewed');
    assert.equal(await testDb.db.auditEvent.count({ where: { sessionId: session.sid, type: 'profile_updated' } }), 0);
  });

  test('no claims in the answer: userinfo once the interval has passed, with the new access token (and its DPoP key); not before', async () => {
    const asked: string[] = [];
    const userinfo: ClaimsSource['userinfo'] = async (accessToken, subject, dpopKey) => {
      asked.push(`${accessToken} ${subject} ${dpopKey?.x ?? 'bearer'}`);
      return { email: 'alice@wonderland.test' };
    };
    const session = await signedIn();
    const early = await renewer(idp(), userinfo)(session, clock);
    assert.ok(early.kind === 'renewed');
    assert.deepEqual(asked, [], 'within CLAIMS_REFRESH_INTERVAL of the last read');

    clock += INTERVAL;
    const dpopKey = { kty: 'EC', crv: 'P-256', x: 'key-x', y: 'key-y', d: 'key-d' } as const;
    const due = { ...early.session, dpopKey, tokens: { ...early.session.tokens, expiresAt: clock - 1 } };
    const late = await renewer(idp(), userinfo)(due, clock);
    assert.ok(late.kind === 'renewed');
    assert.deepEqual(asked, [`at-1 ${session.sub} key-x`]);
    assert.equal(late.session.email, 'alice@wonderland.test');
    assert.equal(late.session.name, 'Alice Liddell');
    assert.equal(late.session.claimsAt, clock);
  });

  test('userinfo failing renews all the same, keeps the profile, and asks again at the next renewal', async () => {
    let calls = 0;
    const userinfo = async () => {
      calls += 1;
      return undefined;
    };
    const session = await signedIn();
    clock += INTERVAL;
    const first = await renewer(idp(), userinfo)({ ...session, tokens: { ...session.tokens, expiresAt: clock - 1 } }, clock);
    assert.ok(first.kind === 'renewed');
    assert.equal(first.session.name, 'Alice Liddell');
    assert.equal(first.session.claimsAt, session.claimsAt, 'not read: still due');
    const second = await renewer(idp(), userinfo)({ ...first.session, tokens: { ...first.session.tokens, expiresAt: clock - 1 } }, clock);
    assert.equal(second.kind, 'renewed');
    assert.equal(calls, 2);
  });

  test('the registry\'s token set carries the last authentication forward, for the requests that adopt it', async () => {
    const session = { ...(await signedIn()), authTime: clock - 50, acr: 'mfa' };
    await renewer(idp())(session, clock);
    const row = await testDb.db.session.findUniqueOrThrow({ where: { id: session.sid } });
    const published = await unsealTokens(row.latestTokens!, cookie);
    assert.deepEqual(published?.claims, { name: 'Alice Liddell', email: 'alice@example.test', readAt: session.claimsAt, authTime: clock - 50, acr: 'mfa' });
  });
});
}
