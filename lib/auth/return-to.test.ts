import assert from 'node:assert/strict';
import { test } from 'node:test';
import { safeReturnTo } from './return-to';

test('same-origin relative paths are kept with their query and hash', () => {
  assert.equal(safeReturnTo('/dashboard'), '/dashboard');
  assert.equal(safeReturnTo('/dashboard?view=events&x=1#top'), '/dashboard?view=events&x=1#top');
  assert.equal(safeReturnTo('/a/../dashboard'), '/dashboard');
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
