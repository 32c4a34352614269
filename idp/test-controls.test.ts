import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Server } from 'node:http';
import { after, afterEach, before, test } from 'node:test';
import Koa from 'koa';
import { findAccount, resetProfiles } from './accounts';
import { idpControls } from './controls-client';
import { parseProfileChange, testControls } from './test-controls';

const PORT = 4395;
const BASE = `http://127.0.0.1:${PORT}`;
let server: Server;

before(async () => {
  const app = new Koa();
  app.use(testControls());
  // Stands in for userinfo: a valid token gets 200, anything else 401.
  app.use(async (ctx) => {
    if (ctx.path !== '/me') return;
    ctx.status = ctx.get('authorization') === 'Bearer good' ? 200 : 401;
    ctx.body = {};
  });
  server = app.listen(PORT, '127.0.0.1');
  await once(server, 'listening');
});
after(() => server.close());
afterEach(resetProfiles);

const profile = (query: string, body: string) => fetch(`${BASE}/__test/profile${query}`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });

test('POST /__test/profile changes a name and/or email and answers the profile as it now is', async () => {
  const response = await profile('?account=alice', JSON.stringify({ name: 'Alice Pleasance' }));
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { account: 'alice', name: 'Alice Pleasance', email: 'alice@example.test' });
  assert.deepEqual(await idpControls(BASE).profile('alice', { email: 'alice@new.test' }), { account: 'alice', name: 'Alice Pleasance', email: 'alice@new.test' });
  assert.equal(findAccount('alice')?.email, 'alice@new.test');
});

test('POST /__test/profile refuses bad requests with 400 and a message', async () => {
  for (const [query, body, message] of [
    ['', '{"name":"A"}', 'account is required'],
    ['?account=mallory', '{"name":"A"}', 'unknown account "mallory"'],
    ['?account=alice', '{"name":""}', 'name must be 1 to 100 characters'],
    ['?account=alice', '{"email":"nope"}', 'email must be 3 to 200 characters and contain @'],
    ['?account=alice', '{"name":42}', 'name must be a string'],
    ['?account=alice', '{"nickname":"Al"}', 'unknown field nickname'],
    ['?account=alice', '[]', 'the body must be a JSON object'],
    ['?account=alice', '{', 'the body must be JSON'],
  ]) {
    const response = await profile(query!, body!);
    assert.equal(response.status, 400, body);
    assert.equal(await response.text(), message);
  }
  assert.equal(findAccount('alice')?.name, 'Alice Liddell');
});

test('POST /__test/reset also brings the profiles back', async () => {
  await idpControls(BASE).profile('bob', { name: 'Robert' });
  await idpControls(BASE).reset();
  assert.equal(findAccount('bob')?.name, 'Bob Builder');
});

test('stats count the userinfo requests answered 200, and reset clears the count', async () => {
  const controls = idpControls(BASE);
  await controls.reset();
  await fetch(`${BASE}/me`, { headers: { authorization: 'Bearer good' } });
  await fetch(`${BASE}/me`, { headers: { authorization: 'Bearer bad' } });
  await fetch(`${BASE}/me`, { method: 'POST', headers: { authorization: 'Bearer good' } });
  assert.equal((await controls.stats()).userinfo, 2);
  await controls.reset();
  assert.equal((await controls.stats()).userinfo, 0);
});

test('parseProfileChange: both fields optional, strings only, nothing else', () => {
  assert.deepEqual(parseProfileChange({}), {});
  assert.deepEqual(parseProfileChange({ name: 'A', email: 'a@b' }), { name: 'A', email: 'a@b' });
  assert.equal(parseProfileChange(null), 'the body must be a JSON object');
  assert.equal(parseProfileChange({ email: null }), 'email must be a string');
});
