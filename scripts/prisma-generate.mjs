// Runs `prisma generate` without letting the Prisma CLI download its schema engine.
// The generator only needs the schema (parsed by WASM); the schema engine binary is
// used by `migrate`, which this project replaces with scripts/migrate.ts. Pointing the
// CLI at a stub keeps it from reaching for the network on locked-down machines.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const stub = join(mkdtempSync(join(tmpdir(), 'renewal-prisma-')), 'schema-engine');
writeFileSync(stub, '#!/bin/sh\necho "schema engine not available: use npm run migrate" >&2\nexit 1\n');
chmodSync(stub, 0o755);

const result = spawnSync('npx', ['prisma', 'generate'], {
  stdio: 'inherit',
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: stub,
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    CHECKPOINT_DISABLE: '1',
  },
});
process.exit(result.status ?? 1);
