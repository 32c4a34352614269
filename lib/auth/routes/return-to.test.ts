import assert from 'node:assert/strict';
import { test } from 'node:test';
import { safeReturnTo, signInPageReturnTo } from './return-to';

const APP = new URL('https://app.example');

/** What the browser does with the answer: a redirect to it must stay on the app's origin, on a path with one leading slash. */
function assertStaysOnApp(returnTo: string, raw: unknown): void {
  assert.ok(returnTo.startsWith('/') && !returnTo.startsWith('//') && !returnTo.includes('\\'), `${String(raw)} → ${returnTo}`);
  const followed = new URL(returnTo, APP);
  assert.equal(followed.origin, APP.origin, `${String(raw)} → ${returnTo} leaves the origin`);
  assert.ok(!followed.pathname.startsWith('//'), `${String(raw)} → ${returnTo} resolves to ${followed.pathname}`);
}

test('same-origin relative paths are kept with their query and hash', () => {
  assert.equal(safeReturnTo('/dashboard'), '/dashboard');
  assert.equal(safeReturnTo('/dashboard?view=events&x=1#top'), '/dashboard?view=events&x=1#top');
  assert.equal(safeReturnTo('/a/../dashboard'), '/dashboard');
  assert.equal(safeReturnTo('/a/./b'), '/a/b');
  // Slashes in a query are not a path: nothing to refuse.
  assert.equal(safeReturnTo('/notes?next=%2F%2Fx'), '/notes?next=%2F%2Fx');
});

test('anything that could leave the origin becomes /', () => {
  for (const raw of [
    'https://evil.example/',
    'http://localhost:3000/dashboard',
    '//evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '/%2F%2Fevil.example',
    '%2F%2Fevil.example',
    '/%252F%252Fevil.example',
    '/%5Cevil.example',
    'javascript:alert(1)',
    'dashboard',
    '/\tevil',
    '/%0d%0aSet-Cookie:x',
    '/%E0%A4%A',
    '',
    null,
    undefined,
    `/${'a'.repeat(3000)}`,
  ]) {
    assert.equal(safeReturnTo(raw), '/', `accepted ${String(raw)}`);
  }
});

test('dot segments that URL parsing resolves to //host become / (a checked input must not come back as //evil.example)', () => {
  for (const raw of [
    '/.//evil.example',
    '/a/..//evil.example',
    '/a/b/../..//evil.example',
    '/%2e%2e//evil.example',
    '/%2e//evil.example',
    '/%2E//evil.example',
    '/.%2e//evil.example',
    '/a/%2e%2e//evil.example',
    '/./%2F/evil.example',
    '/.%2f/evil.example',
    '/.%2F%2Fevil.example',
    '/%2E%2E/%2Fevil.example',
    '/a/..%2F/evil.example',
    '/a/..%2f%2fevil.example',
    '/%252e%252e//evil.example',
    '/.%252f/evil.example',
    '/./\\evil.example',
    '/a/..\\/evil.example',
    '/.%5C/evil.example',
    '/.\t//evil.example',
    '/.%09//evil.example',
    '/.\n//evil.example',
    '/%0a.//evil.example',
    '/.\r//evil.example',
    '/.//evil.example?x=1#y',
  ]) {
    const returnTo = safeReturnTo(raw);
    assert.equal(returnTo, '/', `${raw} → ${returnTo}`);
  }
});

test('whatever comes in, what comes out keeps a redirect on the origin', () => {
  const segments = ['', '.', '..', '%2e', '%2E%2E', '.%2e', '%252e', 'a', '%2f', '%2F', '%5c', '\\', '\t', '%09', '%0a', 'evil.example'];
  for (const a of segments) {
    for (const b of segments) {
      for (const raw of [`/${a}/${b}`, `/${a}//${b}`, `/${a}/${b}/`, `/x/${a}/${b}//evil.example`]) assertStaysOnApp(safeReturnTo(raw), raw);
    }
  }
});

test("a form sent from our own sign-in page without returnTo (no JavaScript) takes the page's returnTo from the Referer", () => {
  assert.equal(signInPageReturnTo('https://app.example/signin?returnTo=%2Fnotes%3Fx%3D1&reason=signin', APP.origin), '/notes?x=1');
  assert.equal(signInPageReturnTo('https://app.example/signin', APP.origin), undefined);
});

test('a Referer that is not our sign-in page gives no returnTo', () => {
  for (const referer of [
    null,
    '',
    'not a url',
    'https://evil.example/signin?returnTo=%2Fnotes',
    'http://app.example/signin?returnTo=%2Fnotes',
    'https://app.example/dashboard?returnTo=%2Fnotes',
    'https://app.example/signin/x?returnTo=%2Fnotes',
  ]) {
    assert.equal(signInPageReturnTo(referer, APP.origin), undefined, String(referer));
  }
});
