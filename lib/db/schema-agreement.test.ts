import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { Prisma } from '../generated/prisma/client';
import pg from 'pg';
import { sqlitePath } from './client';
import { createTestDb, type TestDb, testDatabaseKinds } from './test-db';

/**
 * The migrations are written by hand (no schema engine here), so prove they build
 * exactly the tables and columns the Prisma schema describes, and that the client can
 * write and read every model through them.
 */
const MODELS: Record<string, Record<string, string>> = {
  User: Prisma.UserScalarFieldEnum,
  Session: Prisma.SessionScalarFieldEnum,
  AuditEvent: Prisma.AuditEventScalarFieldEnum,
  LogoutToken: Prisma.LogoutTokenScalarFieldEnum,
  SessionEnd: Prisma.SessionEndScalarFieldEnum,
  StepUpIntent: Prisma.StepUpIntentScalarFieldEnum,
};

/** Table name → column names, as the migrated database has them. */
async function tablesOf(testDb: TestDb): Promise<Record<string, string[]>> {
  const tables: Record<string, string[]> = {};
  if (testDb.kind === 'sqlite') {
    const sqlite = new Database(sqlitePath(testDb.url), { readonly: true });
    const names = sqlite.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).all() as Array<{ name: string }>;
    for (const { name } of names) tables[name] = (sqlite.pragma(`table_info("${name}")`) as Array<{ name: string }>).map((c) => c.name);
    sqlite.close();
  } else {
    const client = new pg.Client({ connectionString: testDb.url });
    await client.connect();
    const { rows } = await client.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'`,
    );
    await client.end();
    for (const row of rows) (tables[row.table_name] ??= []).push(row.column_name);
  }
  delete tables._renewal_migrations;
  return tables;
}

/** The index names the schema's `@@index` lines give (Prisma's `Model_field_field_idx`), by model. */
function declaredIndexes(): string[] {
  const names: string[] = [];
  let model = '';
  for (const line of readFileSync('prisma/schema.prisma', 'utf8').split('\n')) {
    model = /^model (\w+)/.exec(line)?.[1] ?? model;
    const fields = /^\s*@@index\(\[([^\]]+)\]\)/.exec(line)?.[1];
    if (fields) names.push(`${model}_${fields.split(',').map((field) => field.trim()).join('_')}_idx`);
  }
  return names.sort();
}

/** The `_idx` indexes the migrated database has (unique ones and primary keys aside). */
async function indexesOf(testDb: TestDb): Promise<string[]> {
  if (testDb.kind === 'sqlite') {
    const sqlite = new Database(sqlitePath(testDb.url), { readonly: true });
    const rows = sqlite.prepare(`SELECT name FROM sqlite_master WHERE type = 'index'`).all() as Array<{ name: string }>;
    sqlite.close();
    return rows.map((row) => row.name).filter((name) => name.endsWith('_idx')).sort();
  }
  const client = new pg.Client({ connectionString: testDb.url });
  await client.connect();
  const { rows } = await client.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE schemaname = 'public'`);
  await client.end();
  return rows.map((row) => row.indexname).filter((name) => name.endsWith('_idx')).sort();
}

for (const kind of testDatabaseKinds()) {
test(`${kind}: the migrations build exactly the indexes the schema declares`, async () => {
  const testDb = await createTestDb(kind);
  try {
    assert.ok(declaredIndexes().includes('AuditEvent_at_idx'));
    assert.deepEqual(await indexesOf(testDb), declaredIndexes());
  } finally {
    await testDb.close();
  }
});

test(`${kind}: every model has a table whose columns are exactly its scalar fields`, async () => {
  const testDb = await createTestDb(kind);
  try {
    const tables = await tablesOf(testDb);
    assert.deepEqual(Object.keys(tables).sort(), Object.keys(Prisma.ModelName).sort());
    for (const [model, fields] of Object.entries(MODELS)) {
      assert.deepEqual(tables[model]!.sort(), Object.values(fields).sort(), `columns of ${model}`);
    }
  } finally {
    await testDb.close();
  }
});

test(`${kind}: the client writes and reads every model through the migrated schema`, async () => {
  const { db, close } = await createTestDb(kind);
  try {
    const user = await db.user.create({ data: { id: 'u1', issuer: 'https://idp.test/', subject: 's1', email: 'a@b.test', name: 'A' } });
    await assert.rejects(db.user.create({ data: { id: 'u2', issuer: 'https://idp.test/', subject: 's1' } }), /Unique constraint/);
    const now = new Date();
    await db.session.create({
      data: {
        id: 'sid', userId: user.id, absoluteExpiresAt: now, revokedAt: now, revokedReason: 'x', idpSid: 'i', userAgent: 'ua',
        tokenVersion: 3, refreshTokenHash: 'h', supersededGenerations: '[]', latestTokens: 'l', leaseOwner: 'o', leaseUntil: now, retryAfter: now, refreshTokenState: 'spent',
      },
    });
    await db.auditEvent.create({ data: { type: 'sign_in', sessionId: 'sid', userId: user.id, reason: 'r' } });
    await db.logoutToken.create({ data: { jti: 'j', expiresAt: now } });
    await db.stepUpIntent.create({ data: { id: 'i', sessionId: 'sid', action: '{}', returnTo: '/', expiresAt: now } });
    const session = await db.session.findUniqueOrThrow({ where: { id: 'sid' }, include: { user: true, events: true } });
    assert.equal(session.user.subject, 's1');
    assert.equal(session.leaseUntil?.getTime(), now.getTime());
    assert.equal(session.events.length, 1);
  } finally {
    await close();
  }
});
}
