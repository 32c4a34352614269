import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { NextRequest } from 'next/server';

/**
 * /auth/login against a local IdP whose discovery document names another issuer than
 * OIDC_ISSUER (a misconfigured tenant, or someone answering for the IdP's host): its
 * endpoints must not be trusted, so no sign-in may start there.
 */
let server: Server;
let issuer: string;
let handleLogin: typeof import('./login').handleLogin;

before(async () => {
  server = createServer((req, res) => {
    req.resume();
    if (req.url !== '/.well-known/openid-configuration') return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({ issuer: `${issuer}/another-tenant`, authorization_endpoint: `${issuer}/auth`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/jwks` }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  Object.assign(process.env, { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: 'app', OIDC_CLIENT_SECRET: 'secret' });
  ({ handleLogin } = await import('./login'));
});
after(() => server.close());

test('a discovery document naming another issuer than OIDC_ISSUER: no sign-in starts, the IdP is "unavailable"', async (t) => {
  const logged = t.mock.method(console, 'error', () => {});
  const response = await handleLogin(new NextRequest('http://localhost:3000/auth/login?returnTo=%2Fdashboard'));
  assert.equal(response.status, 303);
  const location = new URL(response.headers.get('location') ?? '');
  assert.equal(`${location.origin}${location.pathname}`, 'http://localhost:3000/signin');
  assert.equal(location.searchParams.get('reason'), 'idp_unavailable');
  assert.deepEqual(response.headers.getSetCookie(), [], 'no transaction cookie');
  assert.equal(logged.mock.callCount(), 1);
  assert.match(String(logged.mock.calls[0]!.arguments[0]), /discovery document for OIDC_ISSUER/);
});
