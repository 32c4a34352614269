import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from '../generated/prisma/client';

export type Db = InstanceType<typeof PrismaClient>;

/** How long a writer waits for another process's SQLite write lock before failing. */
const SQLITE_BUSY_TIMEOUT_MS = 5000;

/** Path of the SQLite file named by a `file:` URL, relative to the working directory. */
export function sqlitePath(databaseUrl: string): string {
  return databaseUrl.replace(/^file:/, '');
}

/** A Prisma client over the driver adapter for `databaseUrl` (no engine binary needed). */
export function createDb(databaseUrl: string): Db {
  const adapter = new PrismaBetterSqlite3({ url: sqlitePath(databaseUrl), timeout: SQLITE_BUSY_TIMEOUT_MS });
  return new PrismaClient({ adapter });
}
