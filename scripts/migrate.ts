/** `npm run migrate`: applies pending migrations to DATABASE_URL (default: the dev SQLite file; or PostgreSQL). */
import { DEV_DEFAULTS } from '../lib/config';
import { migrate } from '../lib/db/migrate';

const databaseUrl = process.env.DATABASE_URL?.trim() || DEV_DEFAULTS.databaseUrl;
try {
  const applied = await migrate(databaseUrl);
  console.log(applied.length > 0 ? `migrations applied: ${applied.join(', ')}` : 'database is up to date');
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
