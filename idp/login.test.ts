import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asksForMfa, login } from './login';

const form = (fields: Record<string, string>) => new URLSearchParams(fields);

test('acr_values asks for mfa when it names it among others', () => {
  assert.equal(asksForMfa('mfa'), true);
  assert.equal(asksForMfa('pwd mfa'), true);
  assert.equal(asksForMfa('pwd'), false);
  assert.equal(asksForMfa('mfa2'), false);
  assert.equal(asksForMfa(undefined), false);
});

test('a password login without mfa asked: acr pwd, amr pwd; a one-time code sent anyway changes nothing', () => {
  const expected = { kind: 'signed_in', login: { accountId: 'alice', acr: 'pwd', amr: ['pwd'] } };
  assert.deepEqual(login(form({ username: 'alice', password: 'password' }), false), expected);
  assert.deepEqual(login(form({ username: 'alice', password: 'password', otp: '123456' }), false), expected);
});

test('mfa asked: the right one-time code gives acr mfa, amr pwd and otp', () => {
  assert.deepEqual(login(form({ username: 'bob', password: 'password', otp: '123456' }), true), { kind: 'signed_in', login: { accountId: 'bob', acr: 'mfa', amr: ['pwd', 'otp'] } });
});

test('mfa asked: a wrong or missing one-time code is refused', () => {
  const refused = { kind: 'refused', error: 'Wrong or missing one-time code.' };
  assert.deepEqual(login(form({ username: 'bob', password: 'password', otp: '654321' }), true), refused);
  assert.deepEqual(login(form({ username: 'bob', password: 'password' }), true), refused);
  assert.deepEqual(login(form({ username: 'bob', password: 'password', otp: '' }), true), refused);
});

test('a wrong password is refused first, whatever the code', () => {
  const refused = { kind: 'refused', error: 'Wrong username or password.' };
  assert.deepEqual(login(form({ username: 'bob', password: 'wrong', otp: '123456' }), true), refused);
  assert.deepEqual(login(form({ username: 'mallory', password: 'password' }), false), refused);
});
