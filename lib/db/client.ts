import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client';
import { PrismaClient as PostgresPrismaClient } from '../generated/prisma-postgres/client';

/**
 * The Prisma client type the app codes against. Both generated clients come from the
 * same models (scripts/prisma-generate.mjs), so their model APIs are the same.
 */
export type Db = InstanceType<typeof PrismaClient>;

export type DatabaseKind = 'sqlite' | 'postgresql';

/** How long a writer waits for another process's SQLite write lock before failing. */
const SQLITE_BUSY_TIMEOUT_MS = 5000;

export function databaseKind(databaseUrl: string): DatabaseKind {
  if (databaseUrl.startsWith('file:')) return 'sqlite';
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return 'postgresql';
  throw new Error(`renewal: DATABASE_URL must start with file: or postgresql://`);
}

/** Path of the SQLite file named by a `file:` URL, relative to the working directory. */
export function sqlitePath(databaseUrl: string): string {
  return databaseUrl.replace(/^file:/, '');
}

/** A Prisma client over the driver adapter for `databaseUrl` (no engine binary needed). */
export function createDb(databaseUrl: string): Db {
  if (databaseKind(databaseUrl) === 'postgresql') {
    const client = new PostgresPrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
    return client as unknown as Db;
  }
  return new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: sqlitePath(databaseUrl), timeout: SQLITE_BUSY_TIMEOUT_MS }) });
}
