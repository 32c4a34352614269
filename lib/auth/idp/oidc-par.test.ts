import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { json, type LocalIdp, startLocalIdp } from './local-idp.test-support';

/**
 * Pushed authorization requests (RFC 9126) against a local IdP that offers them, with
 * OIDC_PAR unset (`auto`): every parameter of the sign-in travels over the back channel,
 * authenticated as the client, and the browser carries only client_id and request_uri.
 */
let idp: LocalIdp;
let pushed: Array<{ form: URLSearchParams; authorization: string | undefined }> = [];
let parStatus = 201;
let startSignIn: typeof import('./oidc').startSignIn;

before(async () => {
  idp = await startLocalIdp({
    jwks: (res) => json(res, { keys: [] }),
    token: (res) => json(res, {}, 400),
    par(res, form, authorization) {
      pushed.push({ form, authorization });
      if (parStatus !== 201) return json(res, { error: 'invalid_request' }, parStatus);
      json(res, { request_uri: `urn:ietf:params:oauth:request_uri:${pushed.length}`, expires_in: 60 }, 201);
    },
  });
  Object.assign(process.env, { OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: 'app', OIDC_CLIENT_SECRET: 'secret', REFRESH_TIMEOUT_MS: '500' });
  ({ startSignIn } = await import('./oidc'));
});
after(() => idp.close());

test('an IdP that offers PAR gets the request pushed: the browser\'s URL carries client_id and request_uri only', async () => {
  pushed = [];
  const { url, transaction } = await startSignIn('/dashboard', { stepUp: { intent: 'i', maxAgeSec: 300, acrValues: 'mfa', forceLogin: true } });
  assert.deepEqual([...url.searchParams.keys()].sort(), ['client_id', 'request_uri']);
  assert.equal(url.searchParams.get('request_uri'), 'urn:ietf:params:oauth:request_uri:1');
  const [{ form, authorization }] = pushed as [(typeof pushed)[number]];
  assert.equal(authorization, `Basic ${Buffer.from('app:secret').toString('base64')}`, 'authenticated as the client');
  assert.equal(form.get('state'), transaction.state);
  assert.equal(form.get('nonce'), transaction.nonce);
  assert.equal(form.get('code_challenge_method'), 'S256');
  assert.ok(form.get('code_challenge'));
  assert.equal(form.get('max_age'), '300');
  assert.equal(form.get('acr_values'), 'mfa');
  assert.equal(form.get('prompt'), 'login');
});

test('a refused pushed request fails the sign-in as the IdP being unavailable, logged once, never a bare 500', async (t) => {
  const logged = t.mock.method(console, 'error', () => {});
  parStatus = 400;
  try {
    await assert.rejects(startSignIn('/dashboard'), (error: unknown) => (error as { code?: string }).code === 'idp_unavailable');
  } finally {
    parStatus = 201;
  }
  assert.match(String(logged.mock.calls[0]?.arguments[0]), /refused or did not answer a pushed authorization request/);
});
