import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import type { Db } from '../../db/client';
import { testDatabaseKinds, useTestDb } from '../../db/test-db';
import type { SessionData, SessionReference, TokenSet } from '../session-payload';
import { ADOPTABLE_GENERATIONS_BEHIND, createRenewer, hashRefreshToken, type RenewerDeps } from './coordination';
import { createSession, rotatingIdp as rotatingIdpAt, TEST_COOKIE as cookie } from './renewal.test-support';
import { referenceTo, resolveReference, withNewestTokens } from './token-ref';

const GRACE_SEC = 60;

for (const kind of testDatabaseKinds()) {
describe(`reference mode on ${kind}`, () => {
  const testDb = useTestDb(kind);

  let clock = 1_850_000_000;
  let sid = '';

  const rotatingIdp = () => rotatingIdpAt(() => clock);

  function renewer(refresh: RenewerDeps['refresh']) {
    return createRenewer({
      db: testDb.db,
      cookie,
      graceSec: GRACE_SEC,
      refreshTimeoutMs: 1000,
      refresh,
      probe: async () => assert.fail('introspection was not expected'),
      revoke: async () => undefined,
      now: () => clock,
    });
  }

  async function newSession(tokens?: TokenSet): Promise<SessionData> {
    const session = await createSession(testDb.db, clock, tokens);
    sid = session.sid;
    return session;
  }

  /** Renews `session` `times` times in a row, each past the grace window; returns every generation. */
  async function rotate(session: SessionData, times: number): Promise<SessionData[]> {
    const renew = renewer(rotatingIdp().refresh);
    const generations = [session];
    for (let i = 0; i < times; i++) {
      clock += GRACE_SEC + 40;
      const outcome = await renew(generations.at(-1)!, clock);
      assert.equal(outcome.kind, 'renewed');
      if (outcome.kind === 'renewed') generations.push(outcome.session);
    }
    return generations;
  }

  const refusals = async () => (await testDb.db.auditEvent.findMany({ where: { sessionId: sid, type: 'refused' } })).map((event) => event.reason);

  beforeEach(() => {
    clock += 1000;
  });

  test('a reference cookie of the current generation reads the registry\'s token set: the session a cookie carrying the tokens would give', async () => {
    const session = await newSession({ accessToken: 'at-0'.repeat(5000), refreshToken: 'rt-0', expiresAt: clock + 60, issuedAt: clock });
    assert.deepEqual(await resolveReference(testDb.db, referenceTo(session), cookie), session);
  });

  test('an IdP that issues no refresh token: the reference carries a null hash and resolves all the same', async () => {
    const session = await newSession({ accessToken: 'at-0', expiresAt: clock + 60, issuedAt: clock });
    const reference = referenceTo(session);
    assert.equal(reference.tokenRef.refreshTokenHash, null);
    assert.deepEqual(await resolveReference(testDb.db, reference, cookie), session);
  });

  test('once its generation is replaced the reference stays unresolved, and adopts the newest set within the grace window by the hash it carries', async () => {
    const idp = rotatingIdp();
    const session = await newSession();
    const reference = referenceTo(session);
    await renewer(idp.refresh)(session, clock);
    assert.equal(await resolveReference(testDb.db, reference, cookie), reference, 'the registry no longer holds generation 0\'s tokens');

    clock += 30;
    const outcome = await renewer(idp.refresh)(reference, clock);
    assert.equal(outcome.kind, 'renewed');
    assert.equal(outcome.kind === 'renewed' && outcome.session.tokens.accessToken, 'at-1');
    assert.equal(outcome.kind === 'renewed' && outcome.session.tokenVersion, 1);
    assert.equal(outcome.kind === 'renewed' && 'tokenRef' in outcome.session, false, 'a session with tokens, not a reference');
    assert.deepEqual(idp.calls, ['rt-0'], 'adopted without calling the IdP');
    const adopted = await testDb.db.auditEvent.findMany({ where: { sessionId: sid, type: 'adopted' } });
    assert.deepEqual(adopted.map((event) => event.reason), ['generation 0 took 1']);
  });

  test('past the grace window: a reference of one of the last few generations adopts, an older one is refused as superseded', async () => {
    const generations = await rotate(await newSession(), ADOPTABLE_GENERATIONS_BEHIND + 1);
    const renew = renewer(async () => assert.fail('no reference may reach the IdP'));

    const adoptable = await renew(referenceTo(generations[1]!), clock);
    assert.equal(adoptable.kind === 'renewed' && adoptable.session.tokenVersion, ADOPTABLE_GENERATIONS_BEHIND + 1);

    assert.deepEqual(await renew(referenceTo(generations[0]!), clock), { kind: 'terminal', reason: 'superseded' });
    assert.match((await refusals()).at(-1)!, new RegExp(`^cookie generation 0 (is not in the history|was replaced .* more than ${ADOPTABLE_GENERATIONS_BEHIND} generations behind) \\(registry at ${ADOPTABLE_GENERATIONS_BEHIND + 1}`));
  });

  test('a reference whose hash is not the one its generation had is refused as superseded, in the history and at the current generation alike', async () => {
    const generations = await rotate(await newSession(), 2);
    const renew = renewer(async () => assert.fail('no reference may reach the IdP'));
    const forged = (session: SessionData): SessionReference => ({ ...referenceTo(session), tokenRef: { refreshTokenHash: hashRefreshToken('rt-other') } });

    assert.deepEqual(await renew(forged(generations[1]!), clock), { kind: 'terminal', reason: 'superseded' });
    assert.match((await refusals()).at(-1)!, /^cookie generation 1's refresh token is not the one that generation had/);

    const current = forged(generations[2]!);
    assert.equal(await resolveReference(testDb.db, current, cookie), current, 'never served the registry\'s tokens');
    assert.deepEqual(await renew(current, clock), { kind: 'terminal', reason: 'superseded' });
    assert.equal((await refusals()).at(-1), 'cookie generation 2 is the registry\'s, but its refresh token is not');
  });

  test('a reference whose adopted set is due renews from it, and its own generation stays adoptable (held) in case that answer is lost too', async () => {
    const idp = rotatingIdp();
    const session = await newSession();
    const reference = referenceTo(session);
    await renewer(idp.refresh)(session, clock);
    clock += 61;
    const outcome = await renewer(idp.refresh)(reference, clock);
    assert.equal(outcome.kind === 'renewed' && outcome.session.tokenVersion, 2);
    assert.deepEqual(idp.calls, ['rt-0', 'rt-1']);
    const row = await testDb.db.session.findUniqueOrThrow({ where: { id: sid } });
    assert.ok(JSON.parse(row.supersededGenerations!).some((entry: { v: number; held?: true }) => entry.v === 0 && entry.held));
  });

  test('a reference of a session ended elsewhere, or whose row is gone, is refused without reaching the IdP', async () => {
    const session = await newSession();
    const reference = referenceTo(session);
    await testDb.db.session.update({ where: { id: sid }, data: { revokedAt: new Date(), revokedReason: 'signed_out' } });
    assert.deepEqual(await renewer(async () => assert.fail('no IdP call'))(reference, clock), { kind: 'terminal', reason: 'revoked' });

    const gone: SessionReference = { ...reference, sid: 'sid-no-such-row-0123456789' };
    assert.equal(await resolveReference(testDb.db, gone, cookie), gone);
    assert.deepEqual(await renewer(async () => assert.fail('no IdP call'))(gone, clock), { kind: 'terminal', reason: 'revoked' });
  });

  test('a registry token set sealed with a dropped secret: the reference is as unreadable as a cookie sealed with it', async () => {
    const session = await newSession({ accessToken: 'at-0', refreshToken: 'rt-0', expiresAt: clock + 60, issuedAt: clock });
    assert.equal(await resolveReference(testDb.db, referenceTo(session), { ...cookie, secrets: { 2: 'n'.repeat(32) } }), undefined);
  });

  test('sign-out and signing in again, from a reference of any generation, reach the newest token set and its live refresh token', async () => {
    const generations = await rotate(await newSession(), 2);
    const ending = await withNewestTokens(testDb.db, referenceTo(generations[0]!), cookie);
    assert.equal(ending?.tokens.refreshToken, 'rt-2');
    assert.equal(ending?.tokenVersion, 0, 'the generation the browser held, as a silent re-authentication records it');
  });

  test('a database failure while resolving is an error (the request answers "try again"), never a session that seems gone', async () => {
    const session = await newSession();
    const failing = { session: { findUnique: async () => Promise.reject(new Error('connection refused')) } } as unknown as Db;
    await assert.rejects(resolveReference(failing, referenceTo(session), cookie), /connection refused/);
  });
});
}
