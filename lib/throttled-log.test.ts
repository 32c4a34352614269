import assert from 'node:assert/strict';
import { test } from 'node:test';
import { logOncePerMinute } from './throttled-log';

test('the same line is logged at most once a minute', (t) => {
  const logged = t.mock.method(console, 'error', () => {});
  logOncePerMinute('refused (test line)', { now: 1_000_000 });
  logOncePerMinute('refused (test line)', { now: 1_030_000 });
  logOncePerMinute('another line (test)', { now: 1_030_000 });
  logOncePerMinute('refused (test line)', { now: 1_061_000 });
  assert.deepEqual(logged.mock.calls.map((call) => call.arguments[0]), ['renewal: refused (test line)', 'renewal: another line (test)', 'renewal: refused (test line)']);
});

test('a warning goes to console.warn', (t) => {
  const warned = t.mock.method(console, 'warn', () => {});
  logOncePerMinute('a warning (test line)', { level: 'warn', now: 2_000_000 });
  assert.deepEqual(warned.mock.calls.map((call) => call.arguments[0]), ['renewal: a warning (test line)']);
});
