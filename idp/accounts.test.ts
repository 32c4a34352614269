import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { authenticate, enableSoakAccounts, findAccount, resetProfiles, updateProfile, verifyOtp } from './accounts';

afterEach(resetProfiles);

test('a changed name and email are what findAccount and authenticate answer from then on; the rest stays', () => {
  const changed = updateProfile('alice', { name: '  Alice Pleasance ', email: 'alice@wonderland.test' });
  assert.deepEqual({ name: changed.name, email: changed.email }, { name: 'Alice Pleasance', email: 'alice@wonderland.test' });
  assert.equal(findAccount('alice')?.name, 'Alice Pleasance');
  assert.equal(authenticate('alice', 'password')?.email, 'alice@wonderland.test');
  assert.equal(findAccount('alice')?.username, 'alice');
  assert.equal(findAccount('bob')?.name, 'Bob Builder', 'nobody else changes');
});

test('an absent field stays as it was, including one changed before', () => {
  updateProfile('bob', { name: 'Robert Builder' });
  updateProfile('bob', { email: 'robert@example.test' });
  assert.deepEqual({ name: findAccount('bob')?.name, email: findAccount('bob')?.email }, { name: 'Robert Builder', email: 'robert@example.test' });
  updateProfile('bob', {});
  assert.equal(findAccount('bob')?.name, 'Robert Builder');
});

test('resetProfiles brings everyone back to their first name and email', () => {
  updateProfile('alice', { name: 'Someone Else' });
  resetProfiles();
  assert.equal(findAccount('alice')?.name, 'Alice Liddell');
});

test('soak accounts change too, once enabled', () => {
  assert.throws(() => updateProfile('soak-3', { name: 'x' }), { name: 'ProfileError', code: 'unknown_account' });
  enableSoakAccounts();
  assert.equal(updateProfile('soak-3', { name: 'Soak Three' }).name, 'Soak Three');
  assert.equal(findAccount('soak-3')?.name, 'Soak Three');
});

test('refused changes say why and change nothing', () => {
  const refused = (id: string, change: { name?: string; email?: string }, code: string, message: string) =>
    assert.throws(() => updateProfile(id, change), { name: 'ProfileError', code, message });
  refused('mallory', { name: 'Mallory' }, 'unknown_account', 'unknown account "mallory"');
  refused('alice', { name: '' }, 'invalid_name', 'name must be 1 to 100 characters');
  refused('alice', { name: '   ' }, 'invalid_name', 'name must be 1 to 100 characters');
  refused('alice', { name: 'a'.repeat(101) }, 'invalid_name', 'name must be 1 to 100 characters');
  refused('alice', { email: 'alice.example.test' }, 'invalid_email', 'email must be 3 to 200 characters and contain @');
  refused('alice', { email: 'a@' }, 'invalid_email', 'email must be 3 to 200 characters and contain @');
  refused('alice', { email: `${'a'.repeat(190)}@example.test` }, 'invalid_email', 'email must be 3 to 200 characters and contain @');
  // A valid name with an invalid email: neither is taken.
  refused('alice', { name: 'Alice Valid', email: 'invalid' }, 'invalid_email', 'email must be 3 to 200 characters and contain @');
  assert.deepEqual({ name: findAccount('alice')?.name, email: findAccount('alice')?.email }, { name: 'Alice Liddell', email: 'alice@example.test' });

  assert.equal(updateProfile('alice', { name: 'a'.repeat(100), email: 'a@b' }).email, 'a@b', 'the limits themselves are allowed');
});

test('the demo one-time code is 123456', () => {
  assert.equal(verifyOtp('123456'), true);
  assert.equal(verifyOtp(' 123456 '), true);
  assert.equal(verifyOtp('123457'), false);
  assert.equal(verifyOtp(''), false);
});
