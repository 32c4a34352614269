import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditType } from '../registry/registry';
import { eventLabel } from './event-labels';

/** Every audit type; the `satisfies` keeps this list whole as the type grows. */
const ALL_TYPES = {
  sign_in: true,
  refresh: true,
  refresh_failed: true,
  refresh_unavailable: true,
  refresh_lost: true,
  reauthenticated: true,
  adopted: true,
  rejected: true,
  refused: true,
  sign_out: true,
  replaced: true,
  idp_logout: true,
  ended_elsewhere: true,
  profile_updated: true,
  stepped_up: true,
} satisfies Record<AuditType, true>;

test('the events the sessions page shows read as words', () => {
  assert.equal(eventLabel('sign_in'), 'Signed in');
  assert.equal(eventLabel('refresh'), 'Renewed');
  assert.equal(eventLabel('ended_elsewhere'), 'Signed out from another session');
});

test('every audit type has its own label, never its raw name', () => {
  const labels = Object.keys(ALL_TYPES).map((type) => {
    const label = eventLabel(type);
    assert.doesNotMatch(label, /_/, type);
    assert.notEqual(label.toLowerCase(), type, type);
    return label;
  });
  assert.equal(new Set(labels).size, labels.length, 'two types share a label');
});

test('a type this version does not know reads as its words, and inherited names are not labels', () => {
  assert.equal(eventLabel('token_exchanged'), 'Token exchanged');
  assert.equal(eventLabel('constructor'), 'Constructor');
  assert.equal(eventLabel('toString'), 'ToString');
});
