import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

/** Modules that hold secrets or do server I/O must refuse to be bundled for the browser. */
const SERVER_MARKERS = [/from 'iron-session'/, /from 'openid-client'/, /from 'next\/headers'/, /from '\.\.?\/(\.\.\/)?db'/, /\benv\(\)/];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sources(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

test("every lib module with secrets or server I/O imports 'server-only'", () => {
  const offenders = sources('lib').filter((file) => {
    const text = readFileSync(file, 'utf8');
    return SERVER_MARKERS.some((marker) => marker.test(text)) && !text.includes("import 'server-only';");
  });
  assert.deepEqual(offenders, []);
});
