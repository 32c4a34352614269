import assert from 'node:assert/strict';
import { test } from 'node:test';
import { timeAgo, utcText } from './relative-time';

const now = new Date('2026-12-02T13:05:11Z');
const before = (seconds: number) => new Date(now.getTime() - seconds * 1000);

test('a moment reads as how long ago it was, in its largest whole unit', () => {
  assert.equal(timeAgo(before(0), now, 'en'), 'now');
  assert.equal(timeAgo(before(12), now, 'en'), '12 seconds ago');
  assert.equal(timeAgo(before(60), now, 'en'), '1 minute ago');
  assert.equal(timeAgo(before(5 * 60 + 59), now, 'en'), '5 minutes ago');
  assert.equal(timeAgo(before(3 * 3600 + 1), now, 'en'), '3 hours ago');
  assert.equal(timeAgo(before(86_400), now, 'en'), 'yesterday');
  assert.equal(timeAgo(before(9 * 86_400), now, 'en'), '9 days ago');
});

test('a moment after now (the browser clock behind the server) reads as now', () => {
  assert.equal(timeAgo(new Date(now.getTime() + 4000), now, 'en'), 'now');
});

test('in the reader\'s language', () => {
  assert.equal(timeAgo(before(5 * 60), now, 'de'), 'vor 5 Minuten');
});

test('the server-rendered fallback is UTC to the minute', () => {
  assert.equal(utcText(now), '2026-12-02 13:05 UTC');
});
