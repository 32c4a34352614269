import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import * as client from 'openid-client';
import { classifyRefreshError } from './oidc';

/**
 * The classification of refresh failures, fed by real openid-client calls against a
 * local token endpoint that answers each way an IdP might.
 */
let server: Server;
let config: client.Configuration;
let answer: (res: import('node:http').ServerResponse) => void = () => {};

before(async () => {
  server = createServer((_req, res) => answer(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  config = new client.Configuration({ issuer, token_endpoint: `${issuer}/token` }, 'app', 'secret');
  client.allowInsecureRequests(config);
  config.timeout = 0.3;
});
after(() => server.close());

async function refreshFailure(reply: typeof answer): Promise<ReturnType<typeof classifyRefreshError>> {
  answer = reply;
  try {
    await client.refreshTokenGrant(config, 'rt');
  } catch (error) {
    return classifyRefreshError(error);
  }
  return assert.fail('the refresh was expected to fail');
}

function json(status: number, body: unknown) {
  return (res: import('node:http').ServerResponse) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

test('invalid_grant is terminal', async () => {
  assert.deepEqual(await refreshFailure(json(400, { error: 'invalid_grant' })), { kind: 'terminal', error: 'invalid_grant' });
});

test('a 400 with an empty or non-JSON body is terminal too', async () => {
  assert.equal((await refreshFailure((res) => res.writeHead(400).end())).kind, 'terminal');
  assert.equal((await refreshFailure((res) => res.writeHead(400, { 'content-type': 'text/html' }).end('<h1>Bad</h1>'))).kind, 'terminal');
});

test('5xx, 429 and temporarily_unavailable are transient: the IdP did not process the request', async () => {
  assert.equal((await refreshFailure(json(503, { error: 'temporarily_unavailable' }))).kind, 'transient');
  assert.equal((await refreshFailure((res) => res.writeHead(502).end('bad gateway'))).kind, 'transient');
  assert.equal((await refreshFailure((res) => res.writeHead(429).end())).kind, 'transient');
  assert.equal((await refreshFailure(json(400, { error: 'temporarily_unavailable' }))).kind, 'transient');
});

test('ambiguous failures are uncertain, not transient: a timeout, a connection cut after sending, an unreadable 200', async () => {
  assert.deepEqual(await refreshFailure(() => {}), { kind: 'uncertain', error: 'timeout' });
  assert.equal((await refreshFailure((res) => res.socket?.destroy())).kind, 'uncertain');
  assert.equal((await refreshFailure((res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{not json'))).kind, 'uncertain');
  assert.equal((await refreshFailure((res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>ok</h1>'))).kind, 'uncertain');
});

test('a refused client (invalid_client, unauthorized_client, 401, 403) is misconfigured, not the end of the session', async () => {
  assert.deepEqual(await refreshFailure(json(401, { error: 'invalid_client' })), { kind: 'misconfigured', error: 'invalid_client' });
  assert.deepEqual(await refreshFailure(json(400, { error: 'unauthorized_client' })), { kind: 'misconfigured', error: 'unauthorized_client' });
  assert.equal((await refreshFailure((res) => res.writeHead(401).end())).kind, 'misconfigured');
  assert.equal((await refreshFailure((res) => res.writeHead(403, { 'content-type': 'text/html' }).end('Forbidden'))).kind, 'misconfigured');
});

test('a connection that was never made is transient: nothing reached the IdP', async () => {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  const closed = new client.Configuration({ issuer: `http://127.0.0.1:${port}`, token_endpoint: `http://127.0.0.1:${port}/token` }, 'app', 'secret');
  client.allowInsecureRequests(closed);
  try {
    await client.refreshTokenGrant(closed, 'rt');
    assert.fail('expected a network error');
  } catch (error) {
    assert.deepEqual(classifyRefreshError(error), { kind: 'transient', error: 'ECONNREFUSED' });
  }
});
