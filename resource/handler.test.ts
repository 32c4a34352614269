import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { createNotesApi } from './handler.js';
import { NotesStore } from './notes-store.js';
import type { TokenVerifier } from './verify-token.js';

// A verifier that reads "Bearer <subject>": the JWT checks have their own module; these
// tests are about what a verified subject may do. "Bearer quoting" is refused with a
// description no challenge could carry as it is.
const verifier: TokenVerifier = {
  async verify({ authorization }) {
    if (authorization === 'Bearer quoting') return { ok: false, error: 'invalid_token', description: 'a "quoted" \\ word', scheme: 'Bearer' };
    const subject = /^Bearer (\w+)$/.exec(authorization ?? '')?.[1];
    return subject ? { ok: true, subject, claims: { sub: subject } } : { ok: false, error: 'invalid_token', description: 'a Bearer access token is required', scheme: 'Bearer' };
  },
};

let server: Server;
let base: string;

before(async () => {
  server = createServer(createNotesApi({ verifier, store: new NotesStore() }));
  await new Promise<void>((resolve) => server.listen(4382, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

function as(subject: string | undefined, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${base}${path}`, { ...init, headers: { ...(subject ? { authorization: `Bearer ${subject}` } : {}), 'content-type': 'application/json' } });
}

async function add(subject: string, text: string): Promise<string> {
  const response = await as(subject, '/notes', { method: 'POST', body: JSON.stringify({ text }) });
  assert.equal(response.status, 201);
  return ((await response.json()) as { note: { id: string } }).note.id;
}

async function texts(subject: string): Promise<string[]> {
  const { notes } = (await (await as(subject, '/notes')).json()) as { notes: Array<{ text: string }> };
  return notes.map((note) => note.text);
}

test('the owner deletes a note: 204 with no body, and it is gone from the list', async () => {
  const id = await add('owner1', 'to delete');
  await add('owner1', 'to keep');
  const response = await as('owner1', `/notes/${id}`, { method: 'DELETE' });
  assert.equal(response.status, 204);
  assert.equal(await response.text(), '');
  assert.equal(response.headers.get('cache-control'), 'no-store');
  assert.deepEqual(await texts('owner1'), ['to keep']);
});

test("deleting someone else's note is 404, as for an unknown id, and their note stays", async () => {
  const id = await add('owner2', 'not yours');
  const response = await as('intruder', `/notes/${id}`, { method: 'DELETE' });
  assert.equal(response.status, 404);
  assert.deepEqual(await response.json(), { error: 'not_found', error_description: 'no such note' });
  assert.deepEqual(await texts('owner2'), ['not yours']);
});

test('an unknown id, a note deleted twice, and a malformed id are 404', async () => {
  const id = await add('owner3', 'once');
  assert.equal((await as('owner3', `/notes/${id}`, { method: 'DELETE' })).status, 204);
  assert.equal((await as('owner3', `/notes/${id}`, { method: 'DELETE' })).status, 404);
  assert.equal((await as('owner3', '/notes/00000000-0000-4000-8000-000000000000', { method: 'DELETE' })).status, 404);
  assert.equal((await as('owner3', '/notes/%E0%A4%A', { method: 'DELETE' })).status, 404);
});

test('a delete without a valid token is 401 with a Bearer challenge, and deletes nothing', async () => {
  const id = await add('owner4', 'kept');
  const response = await as(undefined, `/notes/${id}`, { method: 'DELETE' });
  assert.equal(response.status, 401);
  assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer realm="notes", error="invalid_token"/);
  assert.deepEqual(await texts('owner4'), ['kept']);
});

test('a method a path does not take is 405 with Allow, before the token is looked at', async () => {
  const onList = await as(undefined, '/notes', { method: 'DELETE' });
  assert.equal(onList.status, 405);
  assert.equal(onList.headers.get('allow'), 'GET, POST');
  const onNote = await as(undefined, '/notes/some-id', { method: 'PUT', body: '{}' });
  assert.equal(onNote.status, 405);
  assert.equal(onNote.headers.get('allow'), 'DELETE');
  assert.equal((await as('owner5', '/notes/a/b', { method: 'DELETE' })).status, 404);
});

test('notes are listed and added per subject; text is 1 to 500 characters', async () => {
  await add('owner6', 'first');
  await add('owner6', 'second');
  assert.deepEqual(await texts('owner6'), ['second', 'first']);
  assert.deepEqual(await texts('owner7'), []);
  for (const text of ['', '   ', 'x'.repeat(501)]) {
    assert.equal((await as('owner6', '/notes', { method: 'POST', body: JSON.stringify({ text }) })).status, 400);
  }
});

test('a refusal whose description holds a quote or a backslash still makes a parseable challenge', async () => {
  const response = await as('quoting', '/notes');
  assert.equal(response.status, 401);
  assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="notes", error="invalid_token", error_description="a quoted  word"');
  assert.deepEqual(await response.json(), { error: 'invalid_token', error_description: 'a "quoted" \\ word' });
});
