import assert from 'node:assert/strict';
import { test } from 'node:test';
import { actionIdOf, actionRequest } from './server-action';

const PAGE = `<form action="" encType="multipart/form-data" method="POST"><input type="hidden" name="$ACTION_ID_00aa11"/><button>Delete</button></form>
<form action="" encType="multipart/form-data" method="POST"><input type="hidden" name="$ACTION_ID_7f3c9e"/><input id="note-text" name="text"/></form>`;

test("the action id is the one of the form holding the field, not the page's first form", () => {
  assert.equal(actionIdOf(PAGE, 'text'), '7f3c9e');
  assert.equal(actionIdOf(PAGE, 'missing'), undefined);
  assert.equal(actionIdOf('<p>No form</p>', 'text'), undefined);
});

test('a plain form post carries the hidden action field; a router post the Next-Action header and React-encoded arguments', async () => {
  const form = await actionRequest('7f3c9e', { text: 'hi' }, 'form', 'http://localhost:3200');
  assert.ok(form.body instanceof FormData);
  assert.equal(form.body.get('text'), 'hi');
  assert.ok(form.body.has('$ACTION_ID_7f3c9e'));
  assert.equal(form.headers?.['next-action'], undefined);

  const fetched = await actionRequest('7f3c9e', { text: 'hi' }, 'fetch', 'http://localhost:3200');
  assert.equal(fetched.headers?.['next-action'], '7f3c9e');
  assert.equal(fetched.headers?.origin, 'http://localhost:3200');
  assert.ok(fetched.body instanceof FormData);
  assert.deepEqual([...fetched.body.values()].sort(), ['["$K1"]', 'hi'].sort());
});
