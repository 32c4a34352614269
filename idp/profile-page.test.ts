import assert from 'node:assert/strict';
import { once } from 'node:events';
import { IncomingMessage, type Server, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { after, afterEach, before, test } from 'node:test';
import Koa from 'koa';
import { findAccount, resetProfiles } from './accounts';
import { profilePageRoutes } from './profile-page';

const PORT = 4394;
const BASE = `http://127.0.0.1:${PORT}`;
const app = new Koa();
app.use(profilePageRoutes());
let server: Server;

before(async () => {
  server = app.listen(PORT, '127.0.0.1');
  await once(server, 'listening');
});
after(() => server.close());
afterEach(resetProfiles);

const post = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${BASE}/profile`, { method: 'POST', redirect: 'manual', body: new URLSearchParams(fields), headers });

test('GET /profile lists alice and bob, each with a name and email form', async () => {
  const response = await fetch(`${BASE}/profile`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('cache-control'), 'no-store');
  const html = await response.text();
  for (const [id, name, email] of [['alice', 'Alice Liddell', 'alice@example.test'], ['bob', 'Bob Builder', 'bob@example.test']]) {
    assert.match(html, new RegExp(`<input type="hidden" name="account" value="${id}">`));
    assert.match(html, new RegExp(`<input id="name-${id}" name="name" value="${name}"`));
    assert.match(html, new RegExp(`<input id="email-${id}" name="email" type="email" value="${email}"`));
  }
  assert.doesNotMatch(html, /Updated\./);
});

test('POST /profile changes the profile and comes back to the page with a notice', async () => {
  const response = await post({ account: 'bob', name: 'Robert Builder', email: 'robert@example.test' });
  assert.equal(response.status, 303);
  assert.equal(response.headers.get('location'), '/profile?updated=bob');
  assert.deepEqual({ name: findAccount('bob')?.name, email: findAccount('bob')?.email }, { name: 'Robert Builder', email: 'robert@example.test' });

  const page = await (await fetch(`${BASE}/profile?updated=bob`)).text();
  assert.match(page, /Updated\. The app shows it after its next renewal\./);
  assert.match(page, /value="Robert Builder"/);
});

test('POST /profile refuses bad input with a 400 page that says why, and changes nothing', async () => {
  for (const [fields, message] of [
    [{ account: 'mallory', name: 'M', email: 'm@example.test' }, 'unknown account &#34;mallory&#34;'],
    [{ account: 'alice', name: '', email: 'alice@example.test' }, 'name must be 1 to 100 characters'],
    [{ account: 'alice', name: 'a'.repeat(101), email: 'alice@example.test' }, 'name must be 1 to 100 characters'],
    [{ account: 'alice', name: 'Alice', email: 'no-at-sign' }, 'email must be 3 to 200 characters and contain @'],
    [{ account: 'alice', name: 'Alice' }, 'email must be 3 to 200 characters and contain @'],
  ] as const) {
    const response = await post(fields);
    assert.equal(response.status, 400, JSON.stringify(fields));
    assert.match(await response.text(), new RegExp(`class="error" role="alert">${message}<`));
  }
  assert.equal(findAccount('alice')?.name, 'Alice Liddell');
});

test('POST /profile from a page of another site is refused; from the IdP\'s own page it is not', async () => {
  const refused = await post({ account: 'alice', name: 'Evil', email: 'evil@example.test' }, { origin: 'http://evil.example' });
  assert.equal(refused.status, 403);
  assert.equal(findAccount('alice')?.name, 'Alice Liddell');
  const own = await post({ account: 'alice', name: 'Alice P', email: 'alice@example.test' }, { origin: BASE });
  assert.equal(own.status, 303);
});

test('a caller that is not on loopback is refused', async () => {
  const socket = new Socket();
  Object.defineProperty(socket, 'remoteAddress', { value: '203.0.113.7' });
  const req = new IncomingMessage(socket);
  req.method = 'GET';
  req.url = '/profile';
  const ctx = app.createContext(req, new ServerResponse(req));
  await profilePageRoutes()(ctx, async () => assert.fail('passed on'));
  assert.equal(ctx.status, 403);
  assert.match(String(ctx.body), /loopback callers only/);
});

test('other paths are not the page\'s', async () => {
  assert.equal((await fetch(`${BASE}/profiles`)).status, 404);
});
