/**
 * Fresh, migrated databases for tests that need a real one: SQLite always, and
 * PostgreSQL too when TEST_DATABASE_URL points at a server (a new database is created on
 * it for each test file and dropped afterwards).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import pg from 'pg';
import { createDb, type DatabaseKind, type Db } from './client';
import { migrate } from './migrate';

export interface TestDb {
  readonly kind: DatabaseKind;
  readonly db: Db;
  readonly url: string;
  close(): Promise<void>;
}

/** The databases this run can test against. */
export function testDatabaseKinds(): DatabaseKind[] {
  return process.env.TEST_DATABASE_URL ? ['sqlite', 'postgresql'] : ['sqlite'];
}

/** Creates an empty database next to TEST_DATABASE_URL's; returns its URL and how to drop it. */
export async function createPostgresDatabase(serverUrl: string, prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}

export async function createTestDb(kind: DatabaseKind = 'sqlite'): Promise<TestDb> {
  if (kind === 'postgresql') {
    const server = process.env.TEST_DATABASE_URL;
    if (!server) throw new Error('TEST_DATABASE_URL is not set');
    const database = await createPostgresDatabase(server, 'renewal_test');
    await migrate(database.url);
    const db = createDb(database.url);
    return {
      kind,
      db,
      url: database.url,
      async close() {
        await db.$disconnect();
        await database.drop();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'renewal-test-'));
  const url = `file:${join(dir, 'test.db')}`;
  await migrate(url);
  const db = createDb(url);
  return {
    kind,
    db,
    url,
    async close() {
      await db.$disconnect();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * For a describe block: a fresh database of `kind` made before its tests and dropped after
 * them. Its fields are read once the tests run.
 */
export function useTestDb(kind: DatabaseKind): Omit<TestDb, 'close'> {
  let current: TestDb | undefined;
  before(async () => {
    current = await createTestDb(kind);
  });
  after(() => current?.close());
  const made = (): TestDb => {
    if (!current) throw new Error('useTestDb: the database is made before the tests, not while they are declared');
    return current;
  };
  return {
    kind,
    get db() {
      return made().db;
    },
    get url() {
      return made().url;
    },
  };
}
