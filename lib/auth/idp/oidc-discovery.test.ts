import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { isAuthError } from '../errors';

/**
 * Discovery against a local IdP that is down, then back: sign-in attempts while it is down
 * share one failed discovery for a few seconds instead of each asking it again.
 */
let server: Server;
let issuer: string;
let up = false;
let requests = 0;
let oidcConfiguration: typeof import('./oidc').oidcConfiguration;

before(async () => {
  server = createServer((req, res) => {
    requests += 1;
    if (!up) return res.writeHead(503).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer, authorization_endpoint: `${issuer}/auth`, token_endpoint: `${issuer}/token` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  Object.assign(process.env, { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: 'app', OIDC_CLIENT_SECRET: 'secret' });
  ({ oidcConfiguration } = await import('./oidc'));
});
after(() => server.close());

async function discoveryFailed(attempt: Promise<unknown>): Promise<void> {
  await assert.rejects(attempt, (error) => isAuthError(error, 'discovery_failed'));
}

test('a failed discovery is shared by parallel callers and remembered for 5 s, then tried again', async (t) => {
  const logged = t.mock.method(console, 'error', () => {});
  await Promise.all(Array.from({ length: 5 }, () => discoveryFailed(oidcConfiguration())));
  assert.equal(requests, 1);

  up = true;
  // Sign-in attempts within the next few seconds fail at once, without asking the IdP.
  await discoveryFailed(oidcConfiguration());
  await discoveryFailed(oidcConfiguration(Date.now() + 4_000));
  assert.equal(requests, 1);
  assert.equal(logged.mock.callCount(), 1);

  const config = await oidcConfiguration(Date.now() + 5_000);
  assert.equal(config.serverMetadata().issuer, issuer);
  assert.equal(requests, 2);
  // Found once, kept.
  await oidcConfiguration(Date.now() + 60_000);
  assert.equal(requests, 2);
});
