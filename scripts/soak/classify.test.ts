import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classify, classifyAction } from './classify';

const answer = (status: number, headers: Record<string, string> = {}, body = '') => ({ status, headers: new Headers(headers), body });

test('a page sent to /signin is a rejection with its reason', () => {
  assert.deepEqual(classify('navigation', answer(303, { location: 'http://localhost:3200/signin?returnTo=%2Fdashboard&reason=superseded' })), { kind: 'rejected', reason: 'superseded' });
  assert.deepEqual(classify('rsc', answer(307, { location: '/signin?returnTo=%2Fdashboard' })), { kind: 'rejected', reason: '(none)' });
});

test('a page sent to /auth/login?prompt=none is a silent re-authentication, not a sign-out', () => {
  const verdict = classify('navigation', answer(303, { location: '/auth/login?prompt=none&returnTo=%2Fdashboard' }));
  assert.equal(verdict.kind, 'reauth_redirect');
});

test('API answers: 401 reauthenticate asks to re-authenticate, other 401s reject, 200 carries the token generation', () => {
  assert.deepEqual(classify('api', answer(401, {}, '{"error":"unauthorized","reason":"reauthenticate"}')), { kind: 'reauth_requested' });
  assert.deepEqual(classify('api', answer(401, {}, '{"error":"unauthorized","reason":"refresh_failed"}')), { kind: 'rejected', reason: 'refresh_failed' });
  assert.deepEqual(classify('api', answer(200, {}, '{"user":{},"session":{"expiresAt":1,"tokenVersion":7}}')), { kind: 'ok', tokenVersion: 7 });
});

test('503 is the documented "try again" only with Retry-After; other 5xx are errors', () => {
  assert.deepEqual(classify('api', answer(503, { 'retry-after': '5' }, '{"error":"unavailable"}')), { kind: 'unavailable' });
  assert.equal(classify('navigation', answer(503)).kind, 'server_error');
  assert.equal(classify('prefetch', answer(500, {}, 'Internal Server Error')).kind, 'server_error');
});

test('a page sent to the 503 page /auth/unavailable is "try again"; a redirect anywhere else unknown is not', () => {
  assert.deepEqual(classify('navigation', answer(307, { location: '/auth/unavailable?returnTo=%2Fdashboard' })), { kind: 'unavailable' });
  assert.equal(classify('navigation', answer(307, { location: '/auth/elsewhere' })).kind, 'other');
});

test('the dashboard shows its token generation', () => {
  const page = '<dt>Token generation</dt><dd data-testid="token-version">12</dd>';
  assert.deepEqual(classify('navigation', answer(200, {}, page)), { kind: 'ok', tokenVersion: 12 });
});

test('a 431 (request headers too large) locks its owner out: it counts as a rejection', () => {
  assert.deepEqual(classify('navigation', answer(431)), { kind: 'rejected', reason: 'request headers too large (431)' });
  assert.deepEqual(classify('api', answer(431)), { kind: 'rejected', reason: 'request headers too large (431)' });
});

test('/auth/renew going back where it was asked to is an admission; anywhere else is not', () => {
  assert.deepEqual(classify('renew', answer(303, { location: 'http://localhost:3200/dashboard' })), { kind: 'ok' });
  assert.deepEqual(classify('renew', answer(303, { location: '/signin?returnTo=%2Fdashboard&reason=revoked' })), { kind: 'rejected', reason: 'revoked' });
  assert.equal(classify('renew', answer(303, { location: 'https://evil.example/' })).kind, 'other');
});

test('the add-note action: its outcome from x-action-redirect (JavaScript on) or the 303 (a plain form post)', () => {
  assert.deepEqual(classifyAction(answer(200, { 'x-action-redirect': '/notes?status=added;push' })), { kind: 'ok' });
  assert.deepEqual(classifyAction(answer(303, { location: '/notes?status=added' })), { kind: 'ok' });
  assert.deepEqual(classifyAction(answer(200, { 'x-action-redirect': '/notes?status=idp_unavailable;push' })), { kind: 'unavailable' });
  assert.deepEqual(classifyAction(answer(200, { 'x-action-redirect': '/notes?status=refused;push' })), { kind: 'other', detail: 'add-note action status=refused' });
});

test('the add-note action: a sign-in redirect is a rejection and prompt=none a silent re-authentication, in either style', () => {
  assert.deepEqual(classifyAction(answer(200, { 'x-action-redirect': '/signin?returnTo=%2Fnotes&reason=superseded;push' })), { kind: 'rejected', reason: 'superseded' });
  assert.deepEqual(classifyAction(answer(303, { location: 'http://localhost:3200/signin?returnTo=%2Fnotes&reason=ended' })), { kind: 'rejected', reason: 'ended' });
  assert.equal(classifyAction(answer(200, { 'x-action-redirect': '/auth/login?returnTo=%2Fnotes&prompt=none;push' })).kind, 'reauth_redirect');
  assert.deepEqual(classifyAction(answer(503, { 'retry-after': '5' })), { kind: 'unavailable' });
  assert.equal(classifyAction(answer(500, {}, 'Internal Server Error')).kind, 'server_error');
});
