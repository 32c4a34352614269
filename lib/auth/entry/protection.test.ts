import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';

/**
 * Protection stays on by default: every route handler under app/api is wrapped in
 * withSession, every server action checks the session, and every page under
 * app/(protected) calls requireSession — unless listed here as public, on purpose.
 */
const PUBLIC_API_ROUTES: Record<string, string> = {
  'app/api/status/route.ts': 'health check for load balancers; says nothing about anyone',
  'app/api/whoami/route.ts': "the header's question: answers signed in or not (200 either way), renews nothing, writes no cookie",
};

function files(dir: string, match: (name: string) => boolean): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return files(path, match);
    return match(entry.name) ? [relative(process.cwd(), path)] : [];
  });
}

const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

test('every route handler under app/api is wrapped in withSession or listed as public on purpose', () => {
  const unprotected: string[] = [];
  for (const file of files('app/api', (name) => /^route\.tsx?$/.test(name))) {
    if (PUBLIC_API_ROUTES[file]) continue;
    const source = readFileSync(file, 'utf8');
    for (const method of HTTP_METHODS) {
      if (new RegExp(`export (async )?function ${method}\\b`).test(source)) unprotected.push(`${file} ${method} (a plain function)`);
      const constant = new RegExp(`export const ${method}\\s*=\\s*([^\\n]*)`).exec(source);
      if (constant && !constant[1]!.startsWith('withSession(')) unprotected.push(`${file} ${method}`);
    }
  }
  assert.deepEqual(unprotected, []);
});

test('every server action checks the session and its origin (requireActionSession) before doing anything', () => {
  const unchecked: string[] = [];
  for (const file of files('app', (name) => /\.tsx?$/.test(name))) {
    const source = readFileSync(file, 'utf8');
    if (!/^['"]use server['"]/m.test(source)) continue;
    for (const match of source.matchAll(/export async function (\w+)\([^)]*\)[^{]*\{([\s\S]*?)\n\}/g)) {
      if (!/\brequireActionSession\(/.test(match[2]!)) unchecked.push(`${file} ${match[1]}`);
    }
  }
  assert.deepEqual(unchecked, []);
});

test('every page under app/(protected) calls requireSession', () => {
  const unchecked = files('app/(protected)', (name) => /^page\.tsx$/.test(name)).filter((file) => !/\brequireSession\(/.test(readFileSync(file, 'utf8')));
  assert.deepEqual(unchecked, []);
});
