import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SessionData } from '../session-payload';
import { sealSession, unsealSession } from './sealed-cookie';
import { createUnsealMemo } from './unseal-memo';

const NOW = 1_900_000_000;
const settings = { secrets: { 1: 'm'.repeat(32) }, secure: false, absoluteLifetimeSec: 3600 };
const policy = { absoluteLifetimeSec: 3600, refreshWindowSec: 60 };

function session(sid: string, createdAt = NOW - 10): SessionData {
  return { v: 1, sid: `sid-${sid}-0123456789abcdef`, userId: 'u', sub: 'alice', createdAt, tokenVersion: 0, tokens: { accessToken: 'at', refreshToken: 'rt', expiresAt: NOW + 600, issuedAt: NOW } };
}

function countingMemo(maxEntries = 100, ttlSec = 300) {
  let slow = 0;
  const memo = createUnsealMemo(
    async (sealed) => {
      slow += 1;
      return unsealSession(sealed, settings);
    },
    { policy, maxEntries, ttlSec },
  );
  return { memo, slowCalls: () => slow };
}

test('a repeated cookie is unsealed once', async () => {
  const { memo, slowCalls } = countingMemo();
  const sealed = await sealSession(session('a'), settings);
  for (let i = 0; i < 5; i++) assert.equal((await memo.unseal(sealed, NOW))?.session.sid, session('a').sid);
  assert.equal(slowCalls(), 1);
});

test('a tampered cookie never hits: it goes through the full check and fails; failures are not kept', async () => {
  const { memo, slowCalls } = countingMemo();
  const sealed = await sealSession(session('a'), settings);
  await memo.unseal(sealed, NOW);
  const tampered = sealed.slice(0, 60) + (sealed[60] === 'x' ? 'y' : 'x') + sealed.slice(61);
  assert.equal(await memo.unseal(tampered, NOW), undefined);
  assert.equal(await memo.unseal(tampered, NOW), undefined);
  assert.equal(slowCalls(), 3);
  assert.equal(memo.size, 1);
});

test('bounded in size, evicting the least recently used', async () => {
  const { memo, slowCalls } = countingMemo(3);
  const seals = await Promise.all(['a', 'b', 'c', 'd'].map((id) => sealSession(session(id), settings)));
  for (const sealed of seals.slice(0, 3)) await memo.unseal(sealed, NOW);
  await memo.unseal(seals[0]!, NOW); // a is now the most recent
  await memo.unseal(seals[3]!, NOW); // evicts b
  assert.equal(memo.size, 3);
  const before = slowCalls();
  await memo.unseal(seals[0]!, NOW);
  assert.equal(slowCalls(), before, 'a stayed');
  await memo.unseal(seals[1]!, NOW);
  assert.equal(slowCalls(), before + 1, 'b was evicted');
});

test('bounded in time, and never past the session\'s absolute lifetime', async () => {
  const { memo, slowCalls } = countingMemo(100, 300);
  const fresh = await sealSession(session('a'), settings);
  await memo.unseal(fresh, NOW);
  await memo.unseal(fresh, NOW + 299);
  assert.equal(slowCalls(), 1);
  await memo.unseal(fresh, NOW + 300);
  assert.equal(slowCalls(), 2, 'expired after ttl');

  // Created 3590 s ago: its absolute lifetime ends in 10 s, sooner than the ttl.
  const old = await sealSession(session('b', NOW - 3590), settings);
  await memo.unseal(old, NOW);
  await memo.unseal(old, NOW + 10);
  assert.equal(slowCalls(), 4, 'an entry never outlives its session');
});

test('revoking a session forgets its entries', async () => {
  const { memo, slowCalls } = countingMemo();
  const sealed = await sealSession(session('a'), settings);
  await memo.unseal(sealed, NOW);
  memo.forgetSession(session('a').sid);
  await memo.unseal(sealed, NOW);
  assert.equal(slowCalls(), 2);
});

test('a seal this process made is remembered without unsealing', async () => {
  const { memo, slowCalls } = countingMemo();
  const data = session('a');
  const sealed = await sealSession(data, settings);
  memo.remember(sealed, { session: data, stale: false }, NOW);
  assert.equal((await memo.unseal(sealed, NOW))?.session.sid, data.sid);
  assert.equal(slowCalls(), 0);
});

test('requests arriving together with a cookie not yet seen share one unseal (for a reference cookie, one registry read)', async () => {
  const { memo, slowCalls } = countingMemo();
  const data = session('a');
  const sealed = await sealSession(data, settings);
  const opened = await Promise.all(Array.from({ length: 20 }, () => memo.unseal(sealed, NOW)));
  assert.equal(slowCalls(), 1);
  for (const unsealed of opened) assert.equal(unsealed?.session.sid, data.sid);
});

test('a failed lookup (the registry did not answer) is not kept: the next request tries again', async () => {
  let calls = 0;
  const memo = createUnsealMemo(
    async (sealed) => {
      calls += 1;
      if (calls === 1) throw new Error('database unavailable');
      return unsealSession(sealed, settings);
    },
    { policy, maxEntries: 10, ttlSec: 300 },
  );
  const sealed = await sealSession(session('a'), settings);
  await assert.rejects(Promise.all([memo.unseal(sealed, NOW), memo.unseal(sealed, NOW)]), /database unavailable/);
  assert.equal((await memo.unseal(sealed, NOW))?.session.sid, session('a').sid);
  assert.equal(calls, 2);
});
