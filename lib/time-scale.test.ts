import assert from 'node:assert/strict';
import { test } from 'node:test';
import { xAt } from './time-scale';

const scale = { start: 1_000, end: 1_010, left: 100, right: 200 };

test('a time inside the span falls in proportion between left and right', () => {
  assert.deepEqual(
    [1_000, 1_002.5, 1_010].map((at) => xAt(scale, at)),
    [100, 125, 200],
  );
});

test('a time outside the span is drawn at the nearer edge, so "now" never leaves the chart', () => {
  assert.equal(xAt(scale, 990), 100);
  assert.equal(xAt(scale, 1_020), 200);
});

test('an empty span puts everything at the left edge', () => {
  assert.equal(xAt({ ...scale, end: scale.start }, 1_000), 100);
});
