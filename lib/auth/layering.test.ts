import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { test } from 'node:test';

/**
 * lib/auth's folders are layers (docs/ARCHITECTURE.md, "lib/auth, folder by folder"). A
 * module imports its own folder, the folders below its own and the shared modules at the
 * top; never a folder above, nor a sibling on its own layer. Everything outside lib/auth
 * reaches it through index.ts alone, so the folders can be reshaped without touching the app.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['routes'], // the /auth/* handlers: sign-in, callback, sign-out, renew, back-channel logout
  ['entry', 'account'], // where a request meets the session; a person's own sessions
  ['refresh'], // the decision table, validation, renewal and its coordination, the wiring
  ['registry', 'idp', 'cookie'], // the database's session rows, the IdP, the sealed cookie
];
/** Top-level modules every layer may use; they use no folder. */
const SHARED = ['errors', 'session-payload'];
const PUBLIC = 'index';

/** Outside lib/auth, only these may look inside it, and why. */
const READS_INTERNALS: Record<string, string> = {
  'scripts/bench/': 'measures the parts themselves (unsealing, hashing, validation), which the public module rightly does not export',
  'scripts/check-config.ts': 'runs before the server, outside Next.js, where the public module (next/headers, next/navigation) cannot load; it takes only idp/profile-check',
};

const AUTH = join('lib', 'auth');

/** Folders that hold no source of ours. */
const NOT_SOURCE = new Set(['node_modules', '.next', '.git', 'generated', 'test-results', 'playwright-report', 'data']);

/** The project's TypeScript and ES modules, relative to its root. */
function sources(dir = '.'): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return NOT_SOURCE.has(entry.name) ? [] : sources(path);
    return /\.(tsx?|mjs)$/.test(entry.name) ? [path] : [];
  });
}

/** Every module specifier `file` imports: static, side-effect, type-only and dynamic. */
function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm)].map((match) => match[1] ?? '');
}

/** The lib/auth module `specifier` names, as a path relative to lib/auth without extension; undefined when elsewhere. */
function authTarget(file: string, specifier: string): string | undefined {
  const path = specifier.startsWith('@/') ? specifier.slice(2) : specifier.startsWith('.') ? normalize(join(dirname(file), specifier)) : undefined;
  if (path === undefined) return undefined;
  const inside = relative(AUTH, path);
  if (inside === '') return PUBLIC;
  if (inside.startsWith('..')) return undefined;
  return inside.split(sep).join('/').replace(/\.tsx?$/, '');
}

/** A module's place: its folder, or SHARED/PUBLIC for the top level. */
function placeOf(module: string): string {
  const slash = module.indexOf('/');
  return slash === -1 ? module : module.slice(0, slash);
}

function layerOf(folder: string): number {
  const index = LAYERS.findIndex((layer) => layer.includes(folder));
  assert.notEqual(index, -1, `lib/auth/${folder}/ is on no layer: add it to LAYERS in lib/auth/layering.test.ts`);
  return index;
}

/** Why `from` may not import `to` (paths relative to lib/auth, without extension), or undefined. */
function violation(from: string, to: string): string | undefined {
  const source = placeOf(from);
  const target = placeOf(to);
  if (source === PUBLIC) return undefined;
  if (target === PUBLIC) return 'imports the public module from inside';
  if (SHARED.includes(source)) return SHARED.includes(target) ? undefined : 'a shared module imports a folder';
  if (SHARED.includes(target) || source === target) return undefined;
  const [own, theirs] = [layerOf(source), layerOf(target)];
  if (theirs < own) return `imports ${target}/, a layer above`;
  if (theirs === own) return `imports ${target}/, a sibling on its own layer`;
  return undefined;
}

test('every folder of lib/auth is on a layer, and every top-level module is shared or public', () => {
  const places = new Set(
    sources()
      .filter((file) => file.startsWith(`${AUTH}/`))
      .map((file) => placeOf(relative(AUTH, file).split(sep).join('/').replace(/(\.test)?\.tsx?$/, ''))),
  );
  for (const place of places) {
    if (place === PUBLIC || place === 'layering' || SHARED.includes(place)) continue;
    layerOf(place);
  }
});

test('inside lib/auth, imports go only down the layers', () => {
  const problems: string[] = [];
  for (const file of sources().filter((path) => path.startsWith(`${AUTH}/`))) {
    const from = relative(AUTH, file).split(sep).join('/').replace(/\.tsx?$/, '');
    for (const specifier of specifiers(file)) {
      const to = authTarget(file, specifier);
      const why = to === undefined ? undefined : violation(from, to);
      if (why) problems.push(`${file} → ${specifier}: ${why}`);
    }
  }
  assert.deepEqual(problems, []);
});

test('outside lib/auth, everything goes through its public module', () => {
  const problems: string[] = [];
  for (const file of sources().filter((path) => !path.startsWith(`${AUTH}/`))) {
    if (Object.keys(READS_INTERNALS).some((prefix) => file.startsWith(prefix))) continue;
    for (const specifier of specifiers(file)) {
      const to = authTarget(file, specifier);
      if (to !== undefined && to !== PUBLIC) problems.push(`${file} → ${specifier}`);
    }
  }
  assert.deepEqual(problems, []);
});

test('the rules catch what they are for', () => {
  assert.equal(violation('cookie/sealed-cookie', 'refresh/runtime'), 'imports refresh/, a layer above');
  assert.equal(violation('registry/registry-check', 'idp/oidc'), 'imports idp/, a sibling on its own layer');
  assert.equal(violation('session-payload', 'cookie/sealed-cookie'), 'a shared module imports a folder');
  assert.equal(violation('routes/login', 'index'), 'imports the public module from inside');
  assert.equal(violation('routes/callback', 'account/end-session'), undefined);
  assert.equal(violation('refresh/validate', 'errors'), undefined);
  assert.equal(authTarget('app/page.tsx', '@/lib/auth'), PUBLIC);
  assert.equal(authTarget('app/page.tsx', '@/lib/auth/refresh/runtime'), 'refresh/runtime');
  assert.equal(authTarget('lib/notes-api.ts', './auth'), PUBLIC);
  assert.equal(authTarget('scripts/bench/micro.ts', '../../lib/auth/cookie/iron-unseal'), 'cookie/iron-unseal');
  assert.equal(authTarget('lib/notes-api.ts', './db'), undefined);
});
