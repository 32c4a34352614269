import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CookieJar, parseSetCookie } from './cookie-jar';

const T0 = Date.parse('2030-01-01T00:00:00Z');

function jarAt(start = T0) {
  let now = start;
  const jar = new CookieJar(() => now);
  return { jar, advance: (ms: number) => (now += ms) };
}

test('a Set-Cookie stores the cookie and the Cookie header sends it', () => {
  const { jar } = jarAt();
  jar.apply(['renewal-session=abc; Path=/; HttpOnly; SameSite=lax; Max-Age=600', 'other=1; Path=/']);
  assert.equal(jar.get('renewal-session'), 'abc');
  assert.equal(jar.header(), 'renewal-session=abc; other=1');
});

test('the last response applied wins', () => {
  const { jar } = jarAt();
  jar.apply(['renewal-session=first; Path=/']);
  jar.apply(['renewal-session=second; Path=/']);
  assert.equal(jar.get('renewal-session'), 'second');
});

test('Max-Age=0, an Expires in the past and an empty value each delete the cookie', () => {
  for (const deletion of [
    'renewal-session=; Path=/; Max-Age=0',
    'renewal-session=x; Path=/; Max-Age=0',
    'renewal-session=x; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT',
    'renewal-session=; Path=/',
  ]) {
    const { jar } = jarAt();
    jar.apply(['renewal-session=abc; Path=/', 'keep=1']);
    jar.apply([deletion]);
    assert.equal(jar.get('renewal-session'), undefined, deletion);
    assert.equal(jar.header(), 'keep=1', deletion);
  }
});

test('Max-Age wins over Expires, and a cookie disappears once it expires', () => {
  const { jar, advance } = jarAt();
  jar.apply(['a=1; Max-Age=10; Expires=Thu, 01 Jan 1970 00:00:00 GMT']);
  assert.equal(jar.get('a'), '1');
  advance(10_001);
  assert.equal(jar.get('a'), undefined);
  assert.equal(jar.header(), '');
});

test('chunked cookies are copied in chunk order and deleted together', () => {
  const { jar } = jarAt();
  jar.apply(['renewal-session.2=c', 'renewal-session=a', 'renewal-session.1=b', 'renewal-sessionx=not-a-chunk', 'other=1']);
  assert.equal(jar.chunked('renewal-session'), 'renewal-session=a; renewal-session.1=b; renewal-session.2=c');
  // A smaller session written later clears the chunk it no longer needs.
  jar.apply(['renewal-session=z', 'renewal-session.1=; Max-Age=0', 'renewal-session.2=; Max-Age=0']);
  assert.equal(jar.chunked('renewal-session'), 'renewal-session=z');
  jar.deleteChunked('renewal-session');
  assert.equal(jar.chunked('renewal-session'), undefined);
  assert.equal(jar.header(), 'renewal-sessionx=not-a-chunk; other=1');
});

test('a chunk without its first cookie is no session', () => {
  const { jar } = jarAt();
  jar.apply(['renewal-session.1=b']);
  assert.equal(jar.chunked('renewal-session'), undefined);
});

test('parseSetCookie keeps "=" inside values and ignores headers without a name', () => {
  assert.deepEqual(parseSetCookie('t=a=b==; Path=/', T0), { name: 't', value: 'a=b==' });
  assert.equal(parseSetCookie('=x', T0), undefined);
  assert.equal(parseSetCookie('garbage', T0), undefined);
  assert.deepEqual(parseSetCookie('t=1; max-age=5', T0), { name: 't', value: '1', expiresAt: T0 + 5000 });
});
