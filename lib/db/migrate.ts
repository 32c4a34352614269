/**
 * Applies the SQL migrations under prisma/migrations/ in name order, each once, each in
 * its own transaction. This replaces `prisma migrate deploy`, whose schema engine is a
 * binary that Prisma downloads at run time (impossible on locked-down machines).
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { sqlitePath } from './client';

export const MIGRATIONS_DIR = join(process.cwd(), 'prisma', 'migrations');

export interface Migration {
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

export function readMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
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

/** Applies pending migrations; returns the names applied. Safe to run concurrently. */
export function migrate(databaseUrl: string, migrations: readonly Migration[] = readMigrations()): string[] {
  const file = sqlitePath(databaseUrl);
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new Database(file, { timeout: 10_000 });
  try {
    // WAL lets several app processes read while one writes.
    sqlite.pragma('journal_mode = WAL');
    sqlite.exec(`CREATE TABLE IF NOT EXISTS "_renewal_migrations" (
      "name" TEXT NOT NULL PRIMARY KEY, "checksum" TEXT NOT NULL, "appliedAt" TEXT NOT NULL)`);
    const applied: string[] = [];
    for (const migration of migrations) {
      // IMMEDIATE takes the write lock first, so two processes starting together apply
      // each migration once.
      const step = sqlite.transaction(() => {
        const row = sqlite.prepare('SELECT "checksum" FROM "_renewal_migrations" WHERE "name" = ?').get(migration.name) as { checksum: string } | undefined;
        if (row) {
          if (row.checksum !== migration.checksum) {
            throw new MigrationError(`migration ${migration.name} was changed after it was applied; add a new migration instead`);
          }
          return false;
        }
        sqlite.exec(migration.sql);
        sqlite.prepare('INSERT INTO "_renewal_migrations" ("name", "checksum", "appliedAt") VALUES (?, ?, ?)').run(migration.name, migration.checksum, new Date().toISOString());
        return true;
      });
      if (step.immediate()) applied.push(migration.name);
    }
    return applied;
  } finally {
    sqlite.close();
  }
}
