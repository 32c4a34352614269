import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createReplayCache } from './replay-cache.js';

test('a jti is refused while remembered, and taken again once its time is up', () => {
  const cache = createReplayCache(120, 10);
  assert.equal(cache.firstUse('a', 1000), true);
  assert.equal(cache.firstUse('a', 1119), false);
  assert.equal(cache.firstUse('a', 1120), true);
});

test('expired ids are forgotten as new ones come, so the cache holds only live ones', () => {
  const cache = createReplayCache(120, 10);
  for (let i = 0; i < 5; i += 1) cache.firstUse(`old-${i}`, 1000);
  cache.firstUse('new', 1200);
  assert.equal(cache.size, 1);
});

test('past capacity the oldest live id is forgotten, never more than capacity held', () => {
  const cache = createReplayCache(120, 3);
  for (const id of ['a', 'b', 'c', 'd']) assert.equal(cache.firstUse(id, 1000), true);
  assert.equal(cache.size, 3);
  assert.equal(cache.firstUse('d', 1001), false);
  assert.equal(cache.firstUse('a', 1001), true, 'the oldest went first');
});

test('a long jti costs no more than a short one: ids are kept hashed, and told apart', () => {
  const cache = createReplayCache(120, 10);
  assert.equal(cache.firstUse('x'.repeat(16_000), 1000), true);
  assert.equal(cache.firstUse('x'.repeat(16_000), 1000), false);
  assert.equal(cache.firstUse('x'.repeat(15_999), 1000), true);
});
