import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';

/**
 * Checklist B.22: no access or refresh token in HTML, JSON, URLs or logs. The session's
 * tokens are read in a handful of places; these checks keep each new place honest: the
 * app shows only when a token expires, hands the access token to nothing but the notes
 * API client (which sends it in an Authorization header), and logs no token variable.
 * lib/auth/routes/callback.test.ts checks the sign-in refusals' log lines against the real tokens.
 */
function files(dir: string, match: (name: string) => boolean): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : files(path, match);
    return match(entry.name) ? [relative(process.cwd(), path)] : [];
  });
}

const source = (name: string) => /\.tsx?$/.test(name) && !name.endsWith('.test.ts');

/** The code without its comments and string literals (a word in a message is not a use). */
function code(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:])\/\/.*$/gm, '$1')
    .replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"/g, "''")
    // A template literal keeps only what it interpolates.
    .replace(/`(?:[^`\\]|\\.)*`/g, (literal) => `\`${[...literal.matchAll(/\$\{[^}]*\}/g)].join('')}\``);
}

/** Every `console.*(…)` and `logOncePerMinute(…)` call in `text`, arguments included. */
function logCalls(text: string): string[] {
  const calls: string[] = [];
  for (const match of text.matchAll(/\b(?:console\.(?:log|info|warn|error|debug)|logOncePerMinute)\(/g)) {
    let depth = 0;
    let end = match.index;
    for (; end < text.length; end += 1) {
      if (text[end] === '(') depth += 1;
      if (text[end] === ')' && --depth === 0) break;
    }
    calls.push(text.slice(match.index, end + 1));
  }
  return calls;
}

test('pages, route handlers and actions show only when a token expires, and hand the session (never a token) to the notes API client', () => {
  const problems: string[] = [];
  for (const path of files('app', source)) {
    const text = code(readFileSync(path, 'utf8'));
    for (const match of text.matchAll(/\btokens\b(\.\w+)?/g)) {
      const before = text.slice(Math.max(0, match.index - 40), match.index);
      const allowed =
        match[1] === '.expiresAt' ||
        match[1] === '.issuedAt' ||
        (match[1] === undefined && /const \{ $/.test(before) && text.startsWith('tokens } = session;', match.index));
      if (!allowed) problems.push(`${path}: ${before.split('\n').pop()}${match[0]}`);
    }
    // The session handed over whole (a client component's props, a JSON body) carries its tokens.
    for (const match of text.matchAll(/=\{session\}|\.\.\.session\b|\b(json|stringify)\(\s*session\b/g)) problems.push(`${path}: ${match[0]}`);
    for (const match of text.matchAll(/\b(refreshToken|idToken|access_token|refresh_token)\b/g)) problems.push(`${path}: ${match[0]}`);
  }
  assert.deepEqual(problems, []);
});

test('an access token goes to an API in the Authorization header only (Bearer or DPoP), never in a URL', () => {
  // The notes API client takes its headers from resourceAuthorization and never reads a token itself.
  const client = readFileSync('lib/notes-api.ts', 'utf8');
  assert.match(client, /headers: \{ \.\.\.\(await resourceAuthorization\(caller, init\.method, url\)\)/);
  assert.doesNotMatch(client, /accessToken|access_token/);
  const oidc = readFileSync('lib/auth/idp/oidc.ts', 'utf8');
  const presented = oidc.slice(oidc.indexOf('export async function resourceAuthorization'));
  const body = presented.slice(0, presented.indexOf('\n}\n'));
  const interpolated = [...body.matchAll(/^.*\$\{accessToken\}.*$/gm)].map((line) => line[0].trim());
  assert.equal(interpolated.length, 2);
  for (const line of interpolated) assert.match(line, /\{ authorization: `(Bearer|DPoP) \$\{accessToken\}`/);
});

test('no log line names a token, a code verifier or the client secret', () => {
  const problems: string[] = [];
  for (const path of [...files('lib', source), ...files('app', source), 'proxy.ts']) {
    for (const call of logCalls(code(readFileSync(path, 'utf8')))) {
      const named = call.match(/\b(tokens|accessToken|refreshToken|idToken|codeVerifier|clientSecret|logoutToken|sealed)\b/);
      if (named) problems.push(`${path}: ${call.replace(/\s+/g, ' ').slice(0, 120)} (names ${named[1]})`);
    }
  }
  assert.deepEqual(problems, []);
});
