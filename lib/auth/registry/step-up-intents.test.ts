import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testDatabaseKinds, useTestDb } from '../../db/test-db';
import { findIntent, keepIntent, takeIntent } from './step-up-intents';

/** A kept sensitive action is finished at most once, by the session that asked, before it expires. */
for (const kind of testDatabaseKinds()) {
describe(`step-up intents on ${kind}`, () => {
  const testDb = useTestDb(kind);
  const NOW = 1_800_000_000;
  const action = { kind: 'delete_note', id: 'n-1' };

  test('kept for its session: found without being used up, then taken once', async () => {
    const id = await keepIntent('sid-a', { action, returnTo: '/notes' }, NOW, testDb.db);
    assert.deepEqual(await findIntent(id, 'sid-a', NOW + 1, testDb.db), { action, returnTo: '/notes' });
    const taken = await Promise.all([takeIntent(id, 'sid-a', NOW + 2, testDb.db), takeIntent(id, 'sid-a', NOW + 2, testDb.db)]);
    assert.deepEqual(taken.filter(Boolean), [{ action, returnTo: '/notes' }], 'two callbacks at once: one finishes it');
    assert.equal(await takeIntent(id, 'sid-a', NOW + 3, testDb.db), undefined, 'a replay finds nothing');
  });

  test('another session cannot find or take it, and it does not wait past ten minutes', async () => {
    const id = await keepIntent('sid-b', { action, returnTo: '/notes' }, NOW, testDb.db);
    assert.equal(await findIntent(id, 'sid-other', NOW, testDb.db), undefined);
    assert.equal(await takeIntent(id, 'sid-other', NOW, testDb.db), undefined);
    assert.equal(await takeIntent(id, 'sid-b', NOW + 600, testDb.db), undefined, 'expired');
    assert.equal(await testDb.db.stepUpIntent.count({ where: { id } }), 1, 'left for retention to prune');
  });

  test('ids are unguessable: 192 random bits each', async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, () => keepIntent('sid-c', { action, returnTo: '/' }, NOW, testDb.db)));
    assert.equal(new Set(ids).size, 20);
    assert.ok(ids.every((id) => /^[\w-]{32}$/.test(id)));
  });
});
}
