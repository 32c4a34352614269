import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NotesStore } from './notes-store.js';

test("remove takes the owner's note only: false for another subject or an unknown id", () => {
  const store = new NotesStore();
  const mine = store.add('alice', 'mine');
  store.add('alice', 'also mine');
  assert.equal(store.remove('bob', mine.id), false);
  assert.equal(store.remove('alice', 'no-such-id'), false);
  assert.deepEqual(store.list('alice').map((note) => note.text), ['also mine', 'mine']);
  assert.equal(store.remove('alice', mine.id), true);
  assert.equal(store.remove('alice', mine.id), false);
  assert.deepEqual(store.list('alice').map((note) => note.text), ['also mine']);
  assert.deepEqual(store.list('bob'), []);
});
