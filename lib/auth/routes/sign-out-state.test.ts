import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CookieJar } from '../cookie/sealed-cookie';
import { isSignOutReturn, newSignOutState, signOutStateCookie } from './sign-out-state';

function jar(cookies: Record<string, string>): CookieJar {
  return {
    get: (name) => (name in cookies ? { value: cookies[name]! } : undefined),
    getAll: () => Object.keys(cookies).map((name) => ({ name })),
  };
}

const STATE = 'p3pX0Fh5b3Wc9m2Q4nT1zA';

test('the state cookie is httpOnly, SameSite=Lax (it must survive the IdP redirect), short-lived, and __Host- when secure', () => {
  assert.deepEqual(signOutStateCookie(STATE, false), {
    name: 'renewal-signout',
    value: STATE,
    options: { httpOnly: true, secure: false, sameSite: 'lax', path: '/', maxAge: 600 },
  });
  const secure = signOutStateCookie(STATE, true);
  assert.equal(secure.name, '__Host-renewal-signout');
  assert.equal(secure.options.secure, true);
});

test('each sign-out gets a fresh state of 128 random bits', () => {
  const [a, b] = [newSignOutState(), newSignOutState()];
  assert.notEqual(a, b);
  assert.match(a, /^[\w-]{22}$/);
});

test('the state the IdP returns is a sign-out return only when it is the one this browser sent', () => {
  assert.equal(isSignOutReturn(STATE, jar({ 'renewal-signout': STATE }), false), true);
  assert.equal(isSignOutReturn(STATE, jar({ '__Host-renewal-signout': STATE }), true), true);
});

test('a forged, missing or different state is not a sign-out return, and does not throw', () => {
  const sent = jar({ 'renewal-signout': STATE });
  assert.equal(isSignOutReturn('x', sent, false), false, 'a forged state of another length');
  assert.equal(isSignOutReturn(`${STATE.slice(0, -1)}B`, sent, false), false, 'a forged state of the same length');
  assert.equal(isSignOutReturn(undefined, sent, false), false, 'no state returned');
  assert.equal(isSignOutReturn('', jar({ 'renewal-signout': '' }), false), false, 'empty on both sides');
  assert.equal(isSignOutReturn(STATE, jar({}), false), false, 'no sign-out started in this browser');
  assert.equal(isSignOutReturn(STATE, jar({ 'renewal-signout': STATE }), true), false, 'the insecure name does not count on https');
});

test('a browser that signed in again since is not told it is signed out', () => {
  assert.equal(isSignOutReturn(STATE, jar({ 'renewal-signout': STATE, 'renewal-session': 'Fe26.2*sealed' }), false), false);
});
