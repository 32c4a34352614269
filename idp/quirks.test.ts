import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseQuirks, QUIRKS } from './quirks';

test('DEV_IDP_QUIRKS is a comma-separated list of known quirks', () => {
  assert.deepEqual([...parseQuirks(undefined)], []);
  assert.deepEqual([...parseQuirks(' no-rotation , post-only ')], ['no-rotation', 'post-only']);
  assert.ok(Object.keys(QUIRKS).length >= 9);
  assert.throws(() => parseQuirks('no-rotation,google'), /unknown DEV_IDP_QUIRKS google; known: no-id-token-on-refresh/);
});
