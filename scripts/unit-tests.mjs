// Runs every *.test.ts beside the code with node's test runner (Node 20 has no globs).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

function find(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : find(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const files = ['lib', 'idp', 'scripts', 'e2e'].flatMap(find).sort();
// react-server: lets modules marked `import 'server-only'` load outside Next.js.
const result = spawnSync(process.execPath, ['--conditions=react-server', '--import', 'tsx', '--test', '--test-concurrency=1', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
