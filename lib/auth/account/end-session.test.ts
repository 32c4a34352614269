import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Db } from '../../db/client';
import { createTestDb, type TestDb, testDatabaseKinds } from '../../db/test-db';
import type { RefreshResult } from '../idp/refresh-result';
import type { SessionData } from '../session-payload';

// endSession works through the app's db(): each database under test is installed as that
// client (lib/db.ts keeps it on globalThis), wrapped so a test can act at a chosen step.
const app = globalThis as unknown as { renewalDb?: Db };

let endSession: typeof import('./end-session').endSession;
let refresh: typeof import('../refresh/coordination');
let runtime: typeof import('../refresh/runtime');
let sealTokens: typeof import('../cookie/sealed-cookie').sealTokens;
before(async () => {
  ({ endSession } = await import('./end-session'));
  refresh = await import('../refresh/coordination');
  runtime = await import('../refresh/runtime');
  ({ sealTokens } = await import('../cookie/sealed-cookie'));
});

/** A promise with its resolver, to hold the IdP's answer until the test lets it go. */
function gate<T = void>() {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

for (const kind of testDatabaseKinds()) {
  describe(`sign-out racing a refresh on ${kind}`, () => {
    let testDb: TestDb;
    before(async () => {
      testDb = await createTestDb(kind);
    });
    after(() => testDb.close());

    /**
     * A session whose refresh is under way at the IdP when its person signs out, and the
     * IdP's answer (a rotated refresh token) landing at `when`. Returns every refresh
     * token someone revokes at the IdP: sign-out the one endSession returns, the refresh
     * the one it could not publish.
     */
    async function signOutDuringRefresh(when: 'before the revocation' | 'after sign-out'): Promise<{ revoked: string[]; row: { revokedAt: Date | null; latestTokens: string | null } }> {
      const db = testDb.db;
      const clock = runtime.nowSeconds();
      const sid = `sid-${when.replace(/\W/g, '-')}-0123456789`;
      const tokens = { accessToken: 'at-0', refreshToken: 'rt-0', expiresAt: clock - 1, issuedAt: clock - 61 };
      await db.user.create({ data: { id: `u-${sid}`, issuer: 'https://idp.test/', subject: sid } });
      await db.session.create({
        data: { id: sid, userId: `u-${sid}`, absoluteExpiresAt: new Date((clock + 3600) * 1000), refreshTokenHash: refresh.hashRefreshToken('rt-0'), latestTokens: await sealTokens(tokens, runtime.cookieSettings()) },
      });
      const session: SessionData = { v: 1, sid, userId: `u-${sid}`, sub: 'alice', createdAt: clock - 100, tokenVersion: 0, tokens };

      const revoked: string[] = [];
      const atIdp = gate();
      const answer = gate();
      const renew = refresh.createRenewer({
        db,
        cookie: runtime.cookieSettings(),
        graceSec: 60,
        refreshTimeoutMs: 5000,
        refresh: async (): Promise<RefreshResult> => {
          atIdp.open();
          await answer.promise;
          return { kind: 'ok', tokens: { accessToken: 'at-1', refreshToken: 'rt-1', expiresAt: clock + 60, issuedAt: clock } };
        },
        probe: async () => assert.fail('introspection was not expected'),
        revoke: async (token) => {
          revoked.push(token);
        },
        now: () => clock,
      });
      const renewal = renew(session, clock);
      await atIdp.promise;

      let armed = when === 'before the revocation';
      app.renewalDb = db.$extends({
        query: {
          session: {
            async updateMany({ args, query }) {
              if (armed && args.data.revokedAt) {
                armed = false;
                answer.open();
                await renewal;
              }
              return query(args);
            },
          },
        },
      }) as unknown as Db;

      const latest = await endSession(session, 'signed_out', 'sign_out');
      if (latest.refreshToken) revoked.push(latest.refreshToken);
      answer.open();
      await renewal;
      const row = await db.session.findUniqueOrThrow({ where: { id: sid }, select: { revokedAt: true, latestTokens: true } });
      return { revoked, row };
    }

    test('a refresh landing between reading the latest tokens and the revocation: its fresh refresh token is revoked at the IdP', async () => {
      const { revoked, row } = await signOutDuringRefresh('before the revocation');
      assert.ok(revoked.includes('rt-1'), `revoked at the IdP: ${revoked.join(', ')}`);
      assert.notEqual(row.revokedAt, null);
      assert.equal(row.latestTokens, null, 'no token set is left in the registry');
    });

    test('a refresh landing after sign-out does not publish, and revokes its fresh refresh token itself', async () => {
      const { revoked, row } = await signOutDuringRefresh('after sign-out');
      assert.ok(revoked.includes('rt-1'), `revoked at the IdP: ${revoked.join(', ')}`);
      assert.notEqual(row.revokedAt, null);
      assert.equal(row.latestTokens, null, 'the losing refresh published nothing');
    });
  });
}
