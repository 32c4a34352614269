import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRecentAuthentication } from './step-up';

/** When a sensitive action needs a step-up: the authentication's age, and its `acr` when one is required. */
const NOW = 1_800_000_000;
const FIVE_MINUTES = { stepUpMaxAgeSec: 300, stepUpAcrValues: [] };
const MFA = { stepUpMaxAgeSec: 300, stepUpAcrValues: ['mfa', 'urn:example:hwk'] };

test('recent: at most STEP_UP_MAX_AGE old; unknown (no auth_time) is never recent', () => {
  assert.equal(isRecentAuthentication({ authTime: NOW - 300 }, NOW, FIVE_MINUTES), true);
  assert.equal(isRecentAuthentication({ authTime: NOW - 301 }, NOW, FIVE_MINUTES), false);
  assert.equal(isRecentAuthentication({}, NOW, FIVE_MINUTES), false);
  assert.equal(isRecentAuthentication({ acr: 'mfa' }, NOW, MFA), false);
});

test('with STEP_UP_ACR: the acr must be one of the values, however recent', () => {
  assert.equal(isRecentAuthentication({ authTime: NOW, acr: 'mfa' }, NOW, MFA), true);
  assert.equal(isRecentAuthentication({ authTime: NOW, acr: 'urn:example:hwk' }, NOW, MFA), true);
  assert.equal(isRecentAuthentication({ authTime: NOW, acr: 'pwd' }, NOW, MFA), false);
  assert.equal(isRecentAuthentication({ authTime: NOW }, NOW, MFA), false);
});

test('an answer the IdP has just given may be a little older by our clock: the leeway', () => {
  assert.equal(isRecentAuthentication({ authTime: NOW - 320 }, NOW, FIVE_MINUTES, 30), true);
  assert.equal(isRecentAuthentication({ authTime: NOW - 331 }, NOW, FIVE_MINUTES, 30), false);
});
