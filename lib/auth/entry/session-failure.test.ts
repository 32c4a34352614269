import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthError } from '../errors';
import { sessionFailure, signInPath } from './session-failure';

test('a refused session means signing in again, with its reason', () => {
  assert.deepEqual(sessionFailure(new AuthError('unauthenticated', 'no usable session', { reason: 'revoked' })), { kind: 'signin', reason: 'revoked' });
  assert.deepEqual(sessionFailure(new AuthError('unauthenticated', 'no usable session')), { kind: 'signin', reason: 'signin' });
});

test('an IdP that cannot renew means trying again', () => {
  assert.deepEqual(sessionFailure(new AuthError('unavailable', 'the session cannot be renewed right now')), { kind: 'try_again', cause: 'idp' });
});

test('a database error, or anything else thrown, means trying again too: never a 500, never a sign-out', () => {
  class PrismaClientKnownRequestError extends Error {
    code = 'P1008';
  }
  for (const error of [new PrismaClientKnownRequestError('Operations timed out: database is locked'), new Error('SQLITE_BUSY: database is locked'), new TypeError('x is undefined'), 'a string', undefined]) {
    assert.deepEqual(sessionFailure(error), { kind: 'try_again', cause: 'service' });
  }
});

test('a lost refresh token sends the person through a silent re-authentication, never to the sign-in page (found by the soak at /auth/renew)', () => {
  assert.equal(signInPath('reauthenticate', '/notes'), '/auth/login?returnTo=%2Fnotes&prompt=none');
  assert.equal(signInPath('revoked', '/sessions'), '/signin?returnTo=%2Fsessions&reason=revoked');
});
