/**
 * Applies the SQL migrations under prisma/migrations/<sqlite|postgresql>/ in name order,
 * each once, each in its own transaction. This replaces `prisma migrate deploy`, whose
 * schema engine is a binary Prisma downloads at run time (impossible on locked-down
 * machines). Safe to run from several processes at once.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { type DatabaseKind, databaseKind, sqlitePath } from './client';

export function migrationsDir(kind: DatabaseKind): string {
  return join(process.cwd(), 'prisma', 'migrations', kind);
}

export interface Migration {
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

export function readMigrations(dir: string): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

export class MigrationError extends Error {
  constructor(message: string) {
    super(`renewal migrate: ${message}`);
    this.name = 'MigrationError';
  }
}

const LEDGER = `CREATE TABLE IF NOT EXISTS "_renewal_migrations" (
  "name" TEXT NOT NULL PRIMARY KEY, "checksum" TEXT NOT NULL, "appliedAt" TEXT NOT NULL)`;

function checkUnchanged(migration: Migration, appliedChecksum: string | undefined): boolean {
  if (appliedChecksum === undefined) return false;
  if (appliedChecksum !== migration.checksum) {
    throw new MigrationError(`migration ${migration.name} was changed after it was applied; add a new migration instead`);
  }
  return true;
}

function migrateSqlite(databaseUrl: string, migrations: readonly Migration[]): string[] {
  const file = sqlitePath(databaseUrl);
  mkdirSync(dirname(file), { recursive: true });
  const sqlite = new Database(file, { timeout: 10_000 });
  try {
    // WAL lets several app processes read while one writes.
    sqlite.pragma('journal_mode = WAL');
    sqlite.exec(LEDGER);
    const applied: string[] = [];
    for (const migration of migrations) {
      const step = sqlite.transaction(() => {
        const row = sqlite.prepare('SELECT "checksum" FROM "_renewal_migrations" WHERE "name" = ?').get(migration.name) as { checksum: string } | undefined;
        if (checkUnchanged(migration, row?.checksum)) return false;
        sqlite.exec(migration.sql);
        sqlite.prepare('INSERT INTO "_renewal_migrations" ("name", "checksum", "appliedAt") VALUES (?, ?, ?)').run(migration.name, migration.checksum, new Date().toISOString());
        return true;
      });
      // IMMEDIATE takes the write lock first, so two processes apply each migration once.
      if (step.immediate()) applied.push(migration.name);
    }
    return applied;
  } finally {
    sqlite.close();
  }
}

/** An arbitrary, fixed key: the advisory lock that serialises migration runs. */
const MIGRATION_LOCK_KEY = 72_617_201;

async function migratePostgres(databaseUrl: string, migrations: readonly Migration[]): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(LEDGER);
    const applied: string[] = [];
    for (const migration of migrations) {
      const { rows } = await client.query<{ checksum: string }>('SELECT "checksum" FROM "_renewal_migrations" WHERE "name" = $1', [migration.name]);
      if (checkUnchanged(migration, rows[0]?.checksum)) continue;
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO "_renewal_migrations" ("name", "checksum", "appliedAt") VALUES ($1, $2, $3)', [migration.name, migration.checksum, new Date().toISOString()]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
      applied.push(migration.name);
    }
    return applied;
  } finally {
    await client.end();
  }
}

/** Applies pending migrations to `databaseUrl`; returns the names applied. */
export async function migrate(databaseUrl: string): Promise<string[]> {
  const kind = databaseKind(databaseUrl);
  const migrations = readMigrations(migrationsDir(kind));
  return kind === 'sqlite' ? migrateSqlite(databaseUrl, migrations) : migratePostgres(databaseUrl, migrations);
}
