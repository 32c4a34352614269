// `npm run test:e2e`: the Playwright suite, then a short soak (scripts/soak), against
// SQLite; then, when TEST_DATABASE_URL points at a PostgreSQL server, both again against
// databases created on it.
import { spawnSync } from 'node:child_process';
import { createPostgresDatabase } from '../lib/db/test-db';

function run(command: string, args: string[], env: Record<string, string | undefined>): number {
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return result.status ?? 1;
}

const playwright = (env: Record<string, string | undefined>) => run('npx', ['playwright', 'test', ...process.argv.slice(2)], env);

/** A one-minute soak: its exit status asserts the invariants (counts), never timings. */
const SHORT_SOAK = { SOAK_SECONDS: '60', SOAK_BROWSERS: '20', SOAK_INSTANCES: '2' };
const soak = (env: Record<string, string | undefined>) => run(process.execPath, ['--import', 'tsx', 'scripts/soak/index.ts'], { ...SHORT_SOAK, ...env });
// A focused run (arguments naming specs) is for the browser suite alone.
const withSoak = process.argv.length <= 2;

const server = process.env.TEST_DATABASE_URL;

console.log('\n== end-to-end on SQLite ==');
let status = playwright({});
if (status === 0 && withSoak) {
  console.log('\n== short soak on SQLite ==');
  status = soak({ TEST_DATABASE_URL: undefined, SOAK_REPORT: 'data/soak-report-sqlite.json' });
}

if (status === 0 && server) {
  const database = await createPostgresDatabase(server, 'renewal_e2e');
  console.log(`\n== end-to-end on PostgreSQL (${new URL(database.url).host}${new URL(database.url).pathname}) ==`);
  try {
    status = playwright({ E2E_DATABASE_URL: database.url });
  } finally {
    await database.drop();
  }
  if (status === 0 && withSoak) {
    console.log('\n== short soak on PostgreSQL ==');
    status = soak({ SOAK_REPORT: 'data/soak-report-postgresql.json' });
  }
}
process.exit(status);
