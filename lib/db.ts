import 'server-only';
import { createDb, type Db } from './db/client';
import { env } from './env';

const globalForDb = globalThis as unknown as { renewalDb?: Db };

/** The app's one Prisma client (kept across hot reloads in development). */
export function db(): Db {
  globalForDb.renewalDb ??= createDb(env().databaseUrl);
  return globalForDb.renewalDb;
}
