import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { testDatabaseKinds, useTestDb } from '../../db/test-db';
import { sealTokens } from '../cookie/sealed-cookie';
import type { RefreshTokenProbe } from '../idp/oidc';
import type { RefreshResult } from '../idp/refresh-result';
import type { SessionData, TokenSet } from '../session-payload';
import { ADOPTABLE_GENERATIONS_BEHIND, createRenewer, hashRefreshToken, publishReauthentication, type RenewerDeps } from './coordination';
import { createSession, rotatingIdp as rotatingIdpAt, TEST_COOKIE as cookie } from './renewal.test-support';

for (const kind of testDatabaseKinds()) {
describe(`refresh coordination on ${kind}`, () => {
  const testDb = useTestDb(kind);

  let clock = 1_800_000_000;
  let sid = '';

  const rotatingIdp = (delayMs = 50) => rotatingIdpAt(() => clock, delayMs);

  const revoked: string[] = [];
  function renewer(refresh: RenewerDeps['refresh'], options: { graceSec?: number; probe?: RenewerDeps['probe']; db?: RenewerDeps['db'] } = {}) {
    return createRenewer({
      db: options.db ?? testDb.db,
      cookie,
      graceSec: options.graceSec ?? 60,
      refreshTimeoutMs: 1000,
      refresh,
      probe: options.probe ?? (async () => assert.fail('introspection was not expected')),
      revoke: async (token) => revoked.push(token),
      now: () => clock,
    });
  }

  async function newSession(tokens?: TokenSet): Promise<SessionData> {
    const session = await createSession(testDb.db, clock, tokens);
    sid = session.sid;
    return session;
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
    const row = await testDb.db.session.findUniqueOrThrow({ where: { id: sid } });
    assert.equal(row.tokenVersion, 1);
    assert.equal(row.refreshTokenHash, hashRefreshToken('rt-1'));
    assert.deepEqual(JSON.parse(row.supersededGenerations!), [{ v: 0, hash: hashRefreshToken('rt-0'), at: clock }]);
    assert.equal(row.leaseOwner, null);
    assert.equal(await testDb.db.auditEvent.count({ where: { sessionId: sid, type: 'refresh' } }), 1);
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

    // The audit trail says it once per process, however many requests adopt.
    const another = renewer(idp.refresh);
    await another(session, clock);
    await another(session, clock);
    const adopted = await testDb.db.auditEvent.findMany({ where: { sessionId: sid, type: 'adopted' } });
    assert.deepEqual(adopted.map((event) => event.reason), ['generation 0 took 1', 'generation 0 took 1']);
  });

  test('invalid_grant revokes the session and records why', async () => {
    const session = await newSession();
    const outcome = await renewer(async () => ({ kind: 'terminal', error: 'invalid_grant' }))(session, clock);
    assert.deepEqual(outcome, { kind: 'terminal', reason: 'refresh_failed' });
    const row = await testDb.db.session.findUniqueOrThrow({ where: { id: sid } });
    assert.equal(row.revokedReason, 'refresh_failed');
    assert.equal(row.latestTokens, null);
    const event = await testDb.db.auditEvent.findFirstOrThrow({ where: { sessionId: sid, type: 'refresh_failed' } });
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
    const row = await testDb.db.session.findUniqueOrThrow({ where: { id: sid } });
    assert.equal(row.revokedAt, null);
    assert.equal(row.leaseOwner, null);
    clock += 3;
    await renew(session, clock);
    assert.equal(calls, 2);
  });

  test('a lease left by a crashed instance expires, and another instance checks the token is unspent before completing the renewal', async () => {
    const idp = rotatingIdp();
    const session = await newSession();
    await testDb.db.session.update({ where: { id: sid }, data: { leaseOwner: 'crashed-instance', leaseUntil: new Date(Date.now() + 400) } });
    const started = Date.now();
    const probed: string[] = [];
    const outcome = await renewer(idp.refresh, { probe: async (token) => (probed.push(token), 'active') })(session, clock);
    assert.equal(outcome.kind, 'renewed');
    assert.ok(Date.now() - started >= 300, 'waited for the lease to expire');
    assert.deepEqual(probed, ['rt-0']);
    assert.deepEqual(idp.calls, ['rt-0']);
  });

  test('a lease taken and abandoned by another instance between reading the row and taking it over: the token is checked before it is sent', async () => {
    const idp = rotatingIdp();
    const session = await newSession();
    let interfered = false;
    // The row was read with the lease free; before this instance's update lands, another
    // instance takes the lease and stalls past its end (a database restart can do this).
    const stalling = new Proxy(testDb.db, {
      get(target, property) {
        if (property !== 'session') return Reflect.get(target, property);
        return new Proxy(target.session, {
          get(model, method) {
            if (method !== 'updateMany') return Reflect.get(model, method);
            return async (args: { data: { leaseOwner?: unknown } }) => {
              if (!interfered && typeof args.data.leaseOwner === 'string') {
                interfered = true;
                await target.session.update({ where: { id: sid }, data: { leaseOwner: 'stalled-instance', leaseUntil: new Date(Date.now() - 1000) } });
              }
              return model.updateMany(args as never);
            };
          },
        });
      },
    }) as RenewerDeps['db'];
    const probed: string[] = [];
    const outcome = await renewer(idp.refresh, { db: stalling, probe: async (token) => (probed.push(token), 'inactive') })(session, clock);
    assert.ok(interfered);
    assert.deepEqual(probed, ['rt-0'], 'asked introspection before sending the token');
    assert.deepEqual(idp.calls, [], 'the possibly spent token was never sent');
    assert.equal(outcome.kind, 'reauthenticate');
  });

  test('a refresh finishing after sign-out does not bring the session back', async () => {
    const session = await newSession();
    const renew = renewer(async () => {
      await testDb.db.session.update({ where: { id: sid }, data: { revokedAt: new Date(), revokedReason: 'signed_out' } });
      return { kind: 'ok', tokens: { accessToken: 'at-x', refreshToken: 'rt-x', expiresAt: clock + 60, issuedAt: clock } };
    });
    assert.deepEqual(await renew(session, clock), { kind: 'terminal', reason: 'revoked' });
    const row = await testDb.db.session.findUniqueOrThrow({ where: { id: sid } });
    assert.equal(row.revokedReason, 'signed_out');
    assert.equal(row.tokenVersion, 0);
    assert.deepEqual(revoked.splice(0), ['rt-x'], 'the refresh token nobody will hold is revoked at the IdP');
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
    const later = await renewer(async () => assert.fail('must adopt, not refresh'), { graceSec: 10 })(session, clock);
    assert.equal(later.kind === 'renewed' && later.session.tokens.accessToken, 'at-1');
  });
  /** Renews `session` through `rotations` successive expiries; returns each generation's cookie. */
  async function rotate(session: SessionData, rotations: number, refresh: RenewerDeps['refresh']): Promise<SessionData[]> {
    const cookies = [session];
    for (let i = 0; i < rotations; i++) {
      const outcome = await renewer(refresh)(cookies.at(-1)!, clock);
      assert.equal(outcome.kind, 'renewed');
      if (outcome.kind === 'renewed') cookies.push(outcome.session);
      clock += 61 - 60 + 2; // a couple of seconds between renewals, each new set already due
    }
    return cookies;
  }

  test('two rotations behind: a cookie superseded within the grace window adopts the newest set, however many rotations happened since', async () => {
    let issued = 0;
    const calls: string[] = [];
    // Tokens that are due at once, so every request renews again.
    const refresh: RenewerDeps['refresh'] = async (refreshToken) => {
      calls.push(refreshToken);
      issued += 1;
      return { kind: 'ok', tokens: { accessToken: `at-${issued}`, refreshToken: `rt-${issued}`, expiresAt: clock + 1, issuedAt: clock } };
    };
    const [first] = await rotate(await newSession(), 3, refresh);
    assert.deepEqual(calls, ['rt-0', 'rt-1', 'rt-2']);
    const late = await renewer(refresh)(first!, clock);
    assert.equal(late.kind, 'renewed');
    assert.equal(late.kind === 'renewed' && late.session.tokenVersion, 4, 'adopted generation 3, then renewed it once because it was due');
    assert.deepEqual(calls, ['rt-0', 'rt-1', 'rt-2', 'rt-3']);
  });

  test('every request carrying one old cookie gets the same verdict, before and after the renewal it triggers', async () => {
    const idp = rotatingIdp();
    const session = await newSession();
    await renewer(idp.refresh)(session, clock);
    clock += 65; // generation 1 is now due too, and generation 0 is past the grace window…
    const renew = renewer(idp.refresh, { graceSec: 70 }); // …but within this instance's longer one
    const outcomes = await Promise.all(Array.from({ length: 20 }, async (_, i) => {
      await new Promise((resolve) => setTimeout(resolve, i * 15));
      return renew(session, clock);
    }));
    assert.deepEqual(new Set(outcomes.map((o) => o.kind)), new Set(['renewed']));
    assert.deepEqual(idp.calls, ['rt-0', 'rt-1']);
  });

  test('a renewal whose Set-Cookie was lost: the generation before the current one still adopts after the grace window', async () => {
    const idp = rotatingIdp();
    const session = await newSession();
    await renewer(idp.refresh)(session, clock);
    clock += 3600 - 200; // long after the grace window, inside the absolute lifetime
    const outcome = await renewer(idp.refresh)(session, clock);
    assert.equal(outcome.kind, 'renewed');
    assert.deepEqual(idp.calls, ['rt-0', 'rt-1'], 'adopted generation 1 (due by now) and renewed it; rt-0 never resent');
  });

  test('two renewals in a row whose Set-Cookie was lost: the browser\'s cookie still adopts, until a newer cookie renews', async () => {
    const idp = rotatingIdp();
    const session = await newSession();
    await renewer(idp.refresh)(session, clock); // generation 1; its answer is lost
    clock += 3600 - 400;
    const second = await renewer(idp.refresh)(session, clock); // adopts 1 (due), renews to 2; lost again
    assert.equal(second.kind, 'renewed');
    clock += 120;
    const third = await renewer(idp.refresh)(session, clock); // generation 0, two behind and past the grace window
    assert.equal(third.kind === 'renewed' && third.session.tokenVersion, 3, 'adopted generation 2 (due) and renewed it');
    assert.deepEqual(idp.calls, ['rt-0', 'rt-1', 'rt-2'], 'no refresh token was sent twice');

    // The browser received generation 3 and renews from it: the old cookie is no longer
    // held, and once it is more than ADOPTABLE_GENERATIONS_BEHIND behind it is refused.
    assert.ok(third.kind === 'renewed');
    clock += 120;
    await rotate(third.session, ADOPTABLE_GENERATIONS_BEHIND - 2, idp.refresh);
    clock += 120;
    assert.deepEqual(await renewer(idp.refresh)(session, clock), { kind: 'terminal', reason: 'superseded' });
    assert.equal(idp.calls.length, 1 + ADOPTABLE_GENERATIONS_BEHIND);
  });

  test(`a late answer put an older generation back in the jar: ${ADOPTABLE_GENERATIONS_BEHIND} generations behind and past the grace window, it still adopts`, async () => {
    let issued = 0;
    const refresh: RenewerDeps['refresh'] = async () => {
      issued += 1;
      return { kind: 'ok', tokens: { accessToken: `at-${issued}`, refreshToken: `rt-${issued}`, expiresAt: clock + 1, issuedAt: clock } };
    };
    // The browser's other requests renewed on; the slow answer that set generation 1
    // arrives last, and the browser comes back with it long after.
    const [, late] = await rotate(await newSession(), 1 + ADOPTABLE_GENERATIONS_BEHIND, refresh);
    clock += 120;
    const outcome = await renewer(refresh)(late!, clock);
    assert.equal(outcome.kind === 'renewed' && outcome.session.tokenVersion, 2 + ADOPTABLE_GENERATIONS_BEHIND, 'adopted the newest generation (due) and renewed it');
    assert.equal(issued, 2 + ADOPTABLE_GENERATIONS_BEHIND, 'no refresh token sent twice');
  });

  test(`a cookie more than ${ADOPTABLE_GENERATIONS_BEHIND} generations behind and past the grace window is refused without reaching the IdP`, async () => {
    let issued = 0;
    const refresh: RenewerDeps['refresh'] = async () => {
      issued += 1;
      return { kind: 'ok', tokens: { accessToken: `at-${issued}`, refreshToken: `rt-${issued}`, expiresAt: clock + 1, issuedAt: clock } };
    };
    const [first] = await rotate(await newSession(), ADOPTABLE_GENERATIONS_BEHIND + 1, refresh);
    clock += 120;
    const before = issued;
    assert.deepEqual(await renewer(refresh)(first!, clock), { kind: 'terminal', reason: 'superseded' });
    assert.equal(issued, before);
  });

  test('an ambiguous timeout: the refresh token is not sent again until introspection says the IdP never used it', async () => {
    const session = await newSession();
    const calls: string[] = [];
    let answer: RefreshResult = { kind: 'uncertain', error: 'timeout' };
    const refresh: RenewerDeps['refresh'] = async (token) => (calls.push(token), answer);
    let probe: RefreshTokenProbe = 'active';
    const probes: string[] = [];
    const renew = renewer(refresh, { probe: async (token) => (probes.push(token), probe) });

    assert.deepEqual(await renew(session, clock), { kind: 'transient' });
    assert.equal((await testDb.db.session.findUniqueOrThrow({ where: { id: sid } })).refreshTokenState, 'unknown');
    assert.deepEqual(await renew(session, clock), { kind: 'transient' }, 'backs off first');
    clock += 3;
    answer = { kind: 'ok', tokens: { accessToken: 'at-1', refreshToken: 'rt-1', expiresAt: clock + 60, issuedAt: clock } };
    const outcome = await renew(session, clock);
    assert.equal(outcome.kind, 'renewed');
    assert.deepEqual(probes, ['rt-0']);
    assert.deepEqual(calls, ['rt-0', 'rt-0'], 'resent only after the IdP said the token was still active');
  });

  test('a lost response (the IdP rotated, the answer never came): no reuse, the session asks to re-authenticate and stays alive', async () => {
    const session = await newSession();
    const calls: string[] = [];
    const renew = renewer(async (token) => (calls.push(token), { kind: 'uncertain', error: 'UND_ERR_SOCKET' }), { probe: async () => 'inactive' });
    assert.deepEqual(await renew(session, clock), { kind: 'reauthenticate' }, 'the connection was cut after the IdP answered: asked at once');
    assert.deepEqual(await renew(session, clock), { kind: 'reauthenticate' }, 'remembered: introspection is not asked again');
    assert.deepEqual(calls, ['rt-0']);
    const row = await testDb.db.session.findUniqueOrThrow({ where: { id: sid } });
    assert.equal(row.revokedAt, null);
    assert.equal(row.refreshTokenState, 'spent');
    assert.equal(await testDb.db.auditEvent.count({ where: { sessionId: sid, type: 'refresh_lost' } }), 1);
  });

  test('invalid_client (a wrong secret after a deploy) keeps every session', async () => {
    const session = await newSession();
    const renew = renewer(async () => ({ kind: 'misconfigured', error: 'invalid_client' }));
    assert.deepEqual(await renew(session, clock), { kind: 'transient' });
    clock += 3;
    assert.deepEqual(await renew(session, clock), { kind: 'transient' });
    const row = await testDb.db.session.findUniqueOrThrow({ where: { id: sid } });
    assert.equal(row.revokedAt, null);
    assert.equal(row.refreshTokenState, 'live');
  });

  test('the back-off after a failure is shared: another instance does not ask the IdP at once', async () => {
    const session = await newSession();
    let calls = 0;
    const refresh: RenewerDeps['refresh'] = async () => (calls++, { kind: 'transient', error: 'http_503' });
    assert.deepEqual(await renewer(refresh)(session, clock), { kind: 'transient' });
    assert.deepEqual(await renewer(refresh)(session, clock), { kind: 'transient' });
    assert.equal(calls, 1);
  });

  test('the lease outlives discovery, introspection and the token request, each bounded by the timeout', async () => {
    const session = await newSession();
    let leaseMs = 0;
    const outcome = await renewer(async () => {
      const row = await testDb.db.session.findUniqueOrThrow({ where: { id: sid } });
      leaseMs = row.leaseUntil!.getTime() - Date.now();
      return { kind: 'ok', tokens: { accessToken: 'at-1', refreshToken: 'rt-1', expiresAt: clock + 60, issuedAt: clock } };
    })(session, clock);
    assert.equal(outcome.kind, 'renewed');
    assert.ok(leaseMs > 3 * 1000, `lease of ${leaseMs} ms`);
  });

  test('a session replaced by a new sign-in in the same browser: its old cookie is superseded, not revoked', async () => {
    const session = await newSession();
    await testDb.db.session.update({ where: { id: sid }, data: { revokedAt: new Date(), revokedReason: 'replaced' } });
    assert.deepEqual(await renewer(async () => assert.fail('no refresh'))(session, clock), { kind: 'terminal', reason: 'superseded' });
  });

  /** `db`, but the first `session.updateMany` matching `when` first runs `interfere` (another instance's write landing in between). */
  function interleaved(when: (args: { data: Record<string, unknown> }) => boolean, interfere: () => Promise<unknown>): RenewerDeps['db'] {
    let done = false;
    return new Proxy(testDb.db, {
      get(target, property) {
        if (property !== 'session') return Reflect.get(target, property);
        return new Proxy(target.session, {
          get(model, method) {
            if (method !== 'updateMany') return Reflect.get(model, method);
            return async (args: { data: Record<string, unknown> }) => {
              if (!done && when(args)) {
                done = true;
                await interfere();
              }
              return model.updateMany(args as never);
            };
          },
        });
      },
    }) as RenewerDeps['db'];
  }

  test('a lease released by another instance after a lost answer, between reading the row and taking it: the token is not sent', async () => {
    const idp = rotatingIdp();
    const session = await newSession();
    // Read with the lease free and the token live; before this instance's update lands,
    // another one takes the lease, loses the IdP's answer and lets go: owner null again,
    // the token spent, a back-off set. Comparing the owner alone takes that for a free lease.
    const racing = interleaved(
      (args) => typeof args.data.leaseOwner === 'string',
      () => testDb.db.session.update({ where: { id: sid }, data: { leaseOwner: null, leaseUntil: null, refreshTokenState: 'spent', retryAfter: new Date((clock + 2) * 1000) } }),
    );
    const outcome = await renewer(idp.refresh, { db: racing })(session, clock);
    assert.deepEqual(idp.calls, [], 'the spent token was never sent');
    assert.equal(outcome.kind, 'reauthenticate');
  });

  test('a lease released after a timeout, between reading the row and taking it: introspection first, after the back-off', async () => {
    const idp = rotatingIdp();
    const session = await newSession();
    const racing = interleaved(
      (args) => typeof args.data.leaseOwner === 'string',
      () => testDb.db.session.update({ where: { id: sid }, data: { leaseOwner: null, leaseUntil: null, refreshTokenState: 'unknown', retryAfter: new Date((clock + 2) * 1000) } }),
    );
    const probed: string[] = [];
    assert.deepEqual(await renewer(idp.refresh, { db: racing, probe: async (token) => (probed.push(token), 'active') })(session, clock), { kind: 'transient' }, 'the back-off is honoured');
    assert.deepEqual(idp.calls, []);
    clock += 3;
    const outcome = await renewer(idp.refresh, { probe: async (token) => (probed.push(token), 'active') })(session, clock);
    assert.equal(outcome.kind, 'renewed');
    assert.deepEqual(probed, ['rt-0'], 'asked whether the token was spent before sending it');
  });

  test('a refresh finishing after the browser signed in again does not revoke the grant the new session shares', async () => {
    const session = await newSession();
    const renew = renewer(async () => {
      await testDb.db.session.update({ where: { id: sid }, data: { revokedAt: new Date(), revokedReason: 'replaced' } });
      return { kind: 'ok', tokens: { accessToken: 'at-x', refreshToken: 'rt-x', expiresAt: clock + 60, issuedAt: clock } };
    });
    assert.deepEqual(await renew(session, clock), { kind: 'terminal', reason: 'superseded' });
    assert.deepEqual(revoked.splice(0), [], 'nothing revoked at the IdP');
  });

  test('a refresh finishing after a silent re-authentication advanced the session: nothing revoked, the newer tokens adopted', async () => {
    const session = await newSession();
    const reauthenticated: TokenSet = { accessToken: 'at-r', refreshToken: 'rt-r', expiresAt: clock + 60, issuedAt: clock };
    const renew = renewer(async () => {
      assert.equal(await publishReauthentication(testDb.db, sid, reauthenticated, clock, 60, cookie, 0), 1);
      return { kind: 'ok', tokens: { accessToken: 'at-x', refreshToken: 'rt-x', expiresAt: clock + 60, issuedAt: clock } };
    });
    const outcome = await renew(session, clock);
    assert.equal(outcome.kind === 'renewed' && outcome.session.tokens.accessToken, 'at-r');
    assert.deepEqual(revoked.splice(0), [], 'the re-authentication shares the grant: nothing revoked');
  });

  test('two tabs re-authenticating at once: both continue the same session, one generation after the other', async () => {
    await newSession();
    const first: TokenSet = { accessToken: 'at-a', refreshToken: 'rt-a', expiresAt: clock + 60, issuedAt: clock };
    const second: TokenSet = { accessToken: 'at-b', refreshToken: 'rt-b', expiresAt: clock + 60, issuedAt: clock };
    // The other tab's publication lands between this one's read and its update.
    const racing = interleaved(
      () => true,
      async () => assert.equal(await publishReauthentication(testDb.db, sid, first, clock, 60, cookie, 0), 1),
    );
    assert.equal(await publishReauthentication(racing, sid, second, clock, 60, cookie, 0), 2, 'published on top, not given up (the callback would open a new session and end this one)');
    const row = await testDb.db.session.findUniqueOrThrow({ where: { id: sid } });
    assert.equal(row.tokenVersion, 2);
    assert.equal(row.revokedAt, null);
  });

  test('the cookie a silent re-authentication came back with stays adoptable, however old', async () => {
    const idp = rotatingIdp();
    const session = await newSession();
    await renewer(idp.refresh)(session, clock); // generation 1; its Set-Cookie is lost
    clock += 3600 - 400; // past the grace window
    await testDb.db.session.update({ where: { id: sid }, data: { refreshTokenState: 'spent' } });
    assert.deepEqual(await renewer(idp.refresh)(session, clock), { kind: 'reauthenticate' }, 'adopted generation 1, whose token is spent');
    // The browser comes back from the IdP still holding generation 0, and so do its other tabs' requests.
    const tokens: TokenSet = { accessToken: 'at-r', refreshToken: 'rt-r', expiresAt: clock + 300, issuedAt: clock };
    assert.equal(await publishReauthentication(testDb.db, sid, tokens, clock, 60, cookie, session.tokenVersion), 2);
    clock += 120;
    const outcome = await renewer(idp.refresh)(session, clock);
    assert.equal(outcome.kind === 'renewed' && outcome.session.tokenVersion, 2, 'generation 0 adopted the re-authenticated set');
    assert.deepEqual(idp.calls, ['rt-0']);
  });

  test('adopting a due token set that has no refresh token ends the session instead of handing out an expired token', async () => {
    const session = await newSession();
    const expired: TokenSet = { accessToken: 'at-1', expiresAt: clock - 5, issuedAt: clock - 65 };
    await testDb.db.session.update({
      where: { id: sid },
      data: { tokenVersion: 1, refreshTokenHash: null, latestTokens: await sealTokens(expired, cookie), supersededGenerations: JSON.stringify([{ v: 0, hash: hashRefreshToken('rt-0'), at: clock - 1 }]) },
    });
    assert.deepEqual(await renewer(async () => assert.fail('nothing to refresh with'))(session, clock), { kind: 'terminal', reason: 'expired' });
  });

  test('a refusal says which rule refused and what it compared, in the audit trail', async () => {
    let issued = 0;
    const refresh: RenewerDeps['refresh'] = async () => {
      issued += 1;
      return { kind: 'ok', tokens: { accessToken: `at-${issued}`, refreshToken: `rt-${issued}`, expiresAt: clock + 1, issuedAt: clock } };
    };
    const [first] = await rotate(await newSession(), 6, refresh);
    clock += 120;
    assert.deepEqual(await renewer(refresh)(first!, clock), { kind: 'terminal', reason: 'superseded' });
    const refusal = await testDb.db.auditEvent.findFirstOrThrow({ where: { sessionId: sid, type: 'refused' } });
    assert.match(refusal.reason ?? '', /^cookie generation 0 was replaced 138 s ago, past the 60-s grace, is not held and is more than 5 generations behind \(registry at 6, history \[0 138 s ago, 1 135 s ago, 2 132 s ago, 3 129 s ago, 4 126 s ago, 5 123 s ago\]\)$/);
    assert.ok(refusal.instance, 'the instance that refused is named');
  });

  test('a refresh that brings no ID token keeps the one the session had', async () => {
    const session = await newSession({ accessToken: 'at-0', refreshToken: 'rt-0', idToken: 'id-0', expiresAt: clock - 1, issuedAt: clock - 61 });
    const outcome = await renewer(async () => ({ kind: 'ok', tokens: { accessToken: 'at-1', refreshToken: 'rt-1', expiresAt: clock + 60, issuedAt: clock } }))(session, clock);
    assert.equal(outcome.kind === 'renewed' && outcome.session.tokens.idToken, 'id-0');
  });
});
}
