import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RegistryVerdict } from '../registry/registry-check';
import type { SessionData, SessionPayload, SessionReference } from '../session-payload';
import type { Decision, RenewOutcome } from './decision';
import { clearsCookie, refreshWindow } from './decision';
import { checkSessionReadOnly, liveSessionReadOnly, validateSession, type ValidateDeps, type ValidateOptions } from './validate';

const NOW = 2_000_000_000;
const policy = { absoluteLifetimeSec: 3600, refreshWindowSec: 60 };

function session(expiresIn: number, overrides: Partial<SessionData> = {}, refreshToken: string | null = 'rt'): SessionData {
  return {
    v: 1,
    sid: 'sid-0123456789abcdef',
    userId: 'u',
    sub: 'alice',
    createdAt: NOW - 100,
    tokenVersion: 0,
    tokens: { accessToken: 'at', refreshToken: refreshToken ?? undefined, expiresAt: NOW + expiresIn, issuedAt: NOW + expiresIn - 600 },
    ...overrides,
  };
}

/** A reference cookie (reference mode) whose generation's tokens the registry no longer holds. */
function staleReference(overrides: Partial<SessionReference> = {}): SessionReference {
  return { v: 1, sid: 'sid-0123456789abcdef', userId: 'u', sub: 'alice', createdAt: NOW - 100, tokenVersion: 2, tokenRef: { refreshTokenHash: 'hash-of-rt-2' }, ...overrides };
}

interface Scenario {
  readonly session?: SessionPayload | 'unsealable';
  readonly stale?: boolean;
  readonly registry?: RegistryVerdict;
  readonly refresh?: RenewOutcome;
}

async function decide(scenario: Scenario): Promise<{ decision: Decision; renewCalls: number }> {
  return decideWith(scenario, {});
}

async function decideWith(scenario: Scenario, options: ValidateOptions): Promise<{ decision: Decision; renewCalls: number }> {
  let renewCalls = 0;
  const deps: ValidateDeps = {
    policy,
    unseal: async () => (scenario.session === 'unsealable' || !scenario.session ? undefined : { session: scenario.session, stale: scenario.stale ?? false }),
    checkRegistry: async () => scenario.registry ?? 'active',
    renew: async (renewing) => {
      assert.equal(renewing, scenario.session, 'renews what the cookie holds');
      renewCalls += 1;
      return scenario.refresh ?? assert.fail('renew was not expected');
    },
  };
  const decision = await validateSession(scenario.session ? 'sealed' : undefined, NOW, deps, options);
  return { decision, renewCalls };
}

test('no cookie → anonymous', async () => {
  assert.deepEqual((await decide({})).decision, { kind: 'anonymous' });
});

test('a cookie that cannot be unsealed → rejected invalid', async () => {
  assert.deepEqual((await decide({ session: 'unsealable' })).decision, { kind: 'rejected', reason: 'invalid' });
});

test('absolute lifetime passed → rejected expired, whatever the token says', async () => {
  const old = session(500, { createdAt: NOW - 3600 });
  assert.deepEqual((await decide({ session: old })).decision, { kind: 'rejected', reason: 'expired', session: old });
});

test('idle timeout (registry) → rejected idle; revoked in the registry → rejected revoked', async () => {
  const s = session(500);
  assert.deepEqual((await decide({ session: s, registry: 'idle' })).decision, { kind: 'rejected', reason: 'idle', session: s });
  assert.deepEqual((await decide({ session: s, registry: 'revoked' })).decision, { kind: 'rejected', reason: 'revoked', session: s });
});

test('token valid beyond the refresh window → valid, no refresh', async () => {
  const s = session(61);
  assert.deepEqual(await decide({ session: s }), { decision: { kind: 'valid', session: s, rewrite: false }, renewCalls: 0 });
});

test('sealed with an older secret → valid, rewritten with the newest', async () => {
  const s = session(500);
  assert.deepEqual((await decide({ session: s, stale: true })).decision, { kind: 'valid', session: s, rewrite: true });
});

test('inside the refresh window or expired without a refresh token → rejected expired', async () => {
  for (const s of [session(30, {}, null), session(-5, {}, null)]) {
    assert.deepEqual((await decide({ session: s })).decision, { kind: 'rejected', reason: 'expired', session: s });
  }
});

test('inside the window, refresh succeeded → renewed with the new session', async () => {
  const renewed = session(600, { tokenVersion: 1 });
  const result = await decide({ session: session(30), refresh: { kind: 'renewed', session: renewed } });
  assert.deepEqual(result, { decision: { kind: 'renewed', session: renewed }, renewCalls: 1 });
});

test('refresh answered definitively → rejected with its reason', async () => {
  const s = session(-1);
  for (const reason of ['refresh_failed', 'revoked', 'superseded'] as const) {
    assert.deepEqual((await decide({ session: s, refresh: { kind: 'terminal', reason } })).decision, { kind: 'rejected', reason, session: s });
  }
});

test('refresh failed transiently: still-valid token → valid; expired token → unavailable (cookie kept)', async () => {
  const stillValid = session(30);
  assert.deepEqual((await decide({ session: stillValid, refresh: { kind: 'transient' } })).decision, { kind: 'valid', session: stillValid, rewrite: false });
  const expired = session(0);
  assert.deepEqual((await decide({ session: expired, refresh: { kind: 'transient' } })).decision, { kind: 'unavailable', session: expired });
});

test('the refresh window is the configured one, or a quarter of a short token lifetime', () => {
  assert.equal(refreshWindow({ accessToken: 'a', expiresAt: 3600, issuedAt: 0 }, policy), 60);
  assert.equal(refreshWindow({ accessToken: 'a', expiresAt: 60, issuedAt: 0 }, policy), 15);
  assert.equal(refreshWindow({ accessToken: 'a', expiresAt: 2, issuedAt: 0 }, policy), 1);
});

test('refresh token lost (spent by an unanswered attempt): still-valid token → valid; expired → reauthenticate (cookie kept)', async () => {
  const stillValid = session(30);
  assert.deepEqual((await decide({ session: stillValid, refresh: { kind: 'reauthenticate' } })).decision, { kind: 'valid', session: stillValid, rewrite: false });
  const expired = session(0);
  assert.deepEqual((await decide({ session: expired, refresh: { kind: 'reauthenticate' } })).decision, { kind: 'reauthenticate', session: expired });
});

test('a session this browser replaced by signing in again → superseded, never revoked', async () => {
  const s = session(500);
  assert.deepEqual((await decide({ session: s, registry: 'replaced' })).decision, { kind: 'rejected', reason: 'superseded', session: s });
});

test('clearing a cookie the browser has replaced: only a dead session clears the cookie, never a stale copy of a live one', () => {
  assert.equal(clearsCookie('superseded'), false);
  assert.equal(clearsCookie('signin'), false);
  for (const reason of ['invalid', 'expired', 'revoked', 'refresh_failed'] as const) assert.equal(clearsCookie(reason), true, reason);
});

test('a reference cookie of a replaced generation has no token of its own: it adopts through refresh coordination, whatever its access token\'s age', async () => {
  const reference = staleReference();
  const adopted = session(600, { tokenVersion: 3 });
  assert.deepEqual(await decide({ session: reference, refresh: { kind: 'renewed', session: adopted } }), { decision: { kind: 'renewed', session: adopted }, renewCalls: 1 });
});

test('a reference cookie refused by refresh coordination: superseded keeps the cookie; a grant gone or a session ended clears it', async () => {
  assert.deepEqual((await decide({ session: staleReference(), refresh: { kind: 'terminal', reason: 'superseded' } })).decision, { kind: 'rejected', reason: 'superseded' });
  assert.deepEqual((await decide({ session: staleReference(), refresh: { kind: 'terminal', reason: 'refresh_failed' } })).decision, { kind: 'rejected', reason: 'refresh_failed' });
});

test('a reference cookie when the IdP or the database cannot answer: "try again", never a token it does not have, never a sign-out', async () => {
  const reference = staleReference();
  assert.deepEqual((await decide({ session: reference, refresh: { kind: 'transient' } })).decision, { kind: 'unavailable', session: reference });
  assert.deepEqual((await decide({ session: reference, refresh: { kind: 'reauthenticate' } })).decision, { kind: 'reauthenticate', session: reference });
});

test('a reference cookie of an ended session is refused before any adoption: lifetimes and the registry first', async () => {
  assert.deepEqual(await decide({ session: staleReference({ createdAt: NOW - 3600 }) }), { decision: { kind: 'rejected', reason: 'expired' }, renewCalls: 0 });
  assert.deepEqual(await decide({ session: staleReference(), registry: 'revoked' }), { decision: { kind: 'rejected', reason: 'revoked' }, renewCalls: 0 });
  assert.deepEqual(await decide({ session: staleReference(), registry: 'replaced' }), { decision: { kind: 'rejected', reason: 'superseded' }, renewCalls: 0 });
});

/** The read-only checks' arguments for a cookie holding `s`, with the registry saying `registry`. */
function readOnly(s: SessionPayload | 'unsealable' | undefined, registry: RegistryVerdict = 'active') {
  const deps: Omit<ValidateDeps, 'renew'> = {
    policy,
    unseal: async () => (s === 'unsealable' || !s ? undefined : { session: s, stale: false }),
    checkRegistry: async () => registry,
  };
  return [s ? 'sealed' : undefined, NOW, deps] as const;
}

test('a page rendered without the proxy (read-only check): forged, revoked, past-lifetime or long-expired sessions get nothing', async () => {
  const check = (s: SessionPayload | 'unsealable' | undefined, registry?: RegistryVerdict) => checkSessionReadOnly(...readOnly(s, registry));
  assert.deepEqual(await check(undefined), { ok: false, reason: 'signin' });
  assert.deepEqual(await check('unsealable'), { ok: false, reason: 'invalid' });
  assert.deepEqual(await check(session(500), 'revoked'), { ok: false, reason: 'revoked' });
  assert.deepEqual(await check(session(500, { createdAt: NOW - 3600 })), { ok: false, reason: 'expired' });
  assert.deepEqual(await check(session(-31)), { ok: false, reason: 'expired' }, 'expired and never renewed: the proxy did not run');
  const justDue = session(-2);
  assert.deepEqual(await check(justDue), { ok: true, session: justDue }, 'admitted by the proxy a moment before it expired');
  const fresh = session(500);
  assert.deepEqual(await check(fresh), { ok: true, session: fresh });
  assert.deepEqual(await check(staleReference()), { ok: false, reason: 'superseded' }, 'a reference to replaced tokens has nothing to render with: adopting is the proxy\'s job');
  assert.deepEqual(await check(staleReference(), 'revoked'), { ok: false, reason: 'revoked' });
});

test('the header\'s "who is signed in": a live session whatever its token, never a revoked, past-lifetime or forged one', async () => {
  const live = (s: SessionPayload | 'unsealable' | undefined, registry?: RegistryVerdict) => liveSessionReadOnly(...readOnly(s, registry));
  const longExpired = session(-3000);
  assert.equal(await live(longExpired), longExpired, 'the next protected page renews it');
  const fresh = session(500);
  assert.equal(await live(fresh), fresh);
  assert.equal(await live(undefined), undefined);
  assert.equal(await live('unsealable'), undefined);
  assert.equal(await live(session(500), 'revoked'), undefined);
  assert.equal(await live(session(500), 'idle'), undefined);
  assert.equal(await live(session(500, { createdAt: NOW - 3600 })), undefined);
  const reference = staleReference();
  assert.equal(await live(reference), reference, 'a reference to replaced tokens: still this live session');
  assert.equal(await live(reference, 'revoked'), undefined);
});

test('an API refusing the token forces a renewal, unless the token was issued moments ago', async () => {
  const aged = session(500, {}, 'rt');
  const renewed = session(600, { tokenVersion: 1 });
  const forced = await decideWith({ session: aged, refresh: { kind: 'renewed', session: renewed } }, { forceRefresh: true });
  assert.deepEqual(forced, { decision: { kind: 'renewed', session: renewed }, renewCalls: 1 });
  const young = { ...aged, tokens: { ...aged.tokens, issuedAt: NOW - 1 } };
  assert.deepEqual(await decideWith({ session: young }, { forceRefresh: true }), { decision: { kind: 'valid', session: young, rewrite: false }, renewCalls: 0 });
});
