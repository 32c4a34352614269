// `npm run test:e2e`: the Playwright suite against SQLite, then, when TEST_DATABASE_URL
// points at a PostgreSQL server, again against a fresh database created on it.
import { spawnSync } from 'node:child_process';
import { createPostgresDatabase } from '../lib/db/test-db';

function playwright(extraEnv: Record<string, string>): number {
  const result = spawnSync('npx', ['playwright', 'test', ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, ...extraEnv } });
  return result.status ?? 1;
}

console.log('\n== end-to-end on SQLite ==');
let status = playwright({});

const server = process.env.TEST_DATABASE_URL;
if (status === 0 && server) {
  const database = await createPostgresDatabase(server, 'renewal_e2e');
  console.log(`\n== end-to-end on PostgreSQL (${new URL(database.url).host}${new URL(database.url).pathname}) ==`);
  try {
    status = playwright({ E2E_DATABASE_URL: database.url });
  } finally {
    await database.drop();
  }
}
process.exit(status);
