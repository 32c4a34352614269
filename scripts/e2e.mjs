// `npm run test:e2e`: the Playwright suite against SQLite, then, when TEST_DATABASE_URL
// points at a PostgreSQL server, again against a fresh database created on it.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

function playwright(extraEnv) {
  const result = spawnSync('npx', ['playwright', 'test', ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, ...extraEnv } });
  return result.status ?? 1;
}

async function onServer(serverUrl, sql) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

console.log('\n== end-to-end on SQLite ==');
let status = playwright({});

const server = process.env.TEST_DATABASE_URL;
if (status === 0 && server) {
  const name = `renewal_e2e_${randomBytes(4).toString('hex')}`;
  await onServer(server, `CREATE DATABASE "${name}"`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  console.log(`\n== end-to-end on PostgreSQL (${url.host}/${name}) ==`);
  try {
    status = playwright({ E2E_DATABASE_URL: url.toString() });
  } finally {
    await onServer(server, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}
process.exit(status);
