import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDb, type TestDb } from '../../db/test-db';

// upsertUser writes through the app's db(), which takes DATABASE_URL from the environment
// on first use: point it at a fresh database before importing it.
let testDb: TestDb;
let upsertUser: typeof import('./registry').upsertUser;

before(async () => {
  testDb = await createTestDb();
  process.env.DATABASE_URL = testDb.url;
  ({ upsertUser } = await import('./registry'));
});
after(() => testDb.close());

const IDP = 'https://idp.test/';
const OTHER_IDP = 'https://other-idp.test/';
const now = new Date(2_000_000_000_000);

test('users are keyed by (issuer, subject), never by email: the same email under another subject or issuer is another person', async () => {
  const alice = await upsertUser({ issuer: IDP, subject: 'alice', email: 'shared@example.test', name: 'Alice' }, now);
  // An account that claims Alice's email (an IdP that lets users set it unverified).
  const mallory = await upsertUser({ issuer: IDP, subject: 'mallory', email: 'shared@example.test', name: 'Mallory' }, now);
  // The same subject string at another IdP.
  const elsewhere = await upsertUser({ issuer: OTHER_IDP, subject: 'alice', email: 'shared@example.test' }, now);
  assert.equal(new Set([alice, mallory, elsewhere]).size, 3);

  // Alice signing in again, with a changed email, is still Alice.
  assert.equal(await upsertUser({ issuer: IDP, subject: 'alice', email: 'alice@new.example.test', name: 'Alice' }, now), alice);
  const row = await testDb.db.user.findUniqueOrThrow({ where: { id: alice } });
  assert.equal(row.email, 'alice@new.example.test');
  assert.equal(await testDb.db.user.count(), 3);
});
