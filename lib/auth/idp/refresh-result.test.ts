import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { generateKeyPair, SignJWT } from 'jose';
import * as client from 'openid-client';
import { classifyRefreshError } from './refresh-result';

/**
 * The classification of failed token requests, one row per way an IdP (or what stands in
 * front of it) can answer, each fed through a real openid-client refreshTokenGrant against
 * a local token endpoint. Each row names the shape openid-client throws for it, so a new
 * openid-client that throws differently fails here, at the row, not in production.
 *
 * AuthorizationResponseError never comes from the token endpoint (only from the callback
 * URL: finishSignIn handles it first, see oidc-sign-in.test.ts), and openid-client wraps
 * every OperationProcessingError and UnsupportedOperationError in a ClientError with the
 * same code: neither escapes raw.
 */
type Reply = (res: ServerResponse, req: IncomingMessage) => void;
type Failure = ReturnType<typeof classifyRefreshError>;

let server: Server;
let issuer: string;
let config: client.Configuration;
let stallingConfig: client.Configuration;
let answer: Reply = () => {};
let signingKey: CryptoKey;

before(async () => {
  server = createServer((req, res) => {
    req.resume();
    answer(res, req);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  config = endpointAt(`${issuer}/token`);
  // A short timeout for the rows that wait it out; an answering row gets endpointAt's 2 s,
  // so a busy machine cannot turn its answer into a timeout.
  stallingConfig = endpointAt(`${issuer}/token`);
  stallingConfig.timeout = 0.3;
  ({ privateKey: signingKey } = await generateKeyPair('RS256'));
});
after(() => {
  server.closeAllConnections();
  server.close();
});

/** The shape of what openid-client threw: its class, its code, and what it wraps. */
function shape(error: unknown): string {
  if (error instanceof client.ResponseBodyError || error instanceof client.WWWAuthenticateChallengeError) return error.name;
  if (error instanceof client.ClientError) return `ClientError ${error.code}${error.cause instanceof Response ? ' (Response)' : ''}`;
  if (error instanceof TypeError) return `TypeError (${(error.cause as { code?: string } | undefined)?.code})`;
  return String(error);
}

async function failure(reply: Reply, against = config): Promise<{ thrown: string; sorted: Failure }> {
  answer = reply;
  try {
    await client.refreshTokenGrant(against, 'rt');
  } catch (error) {
    return { thrown: shape(error), sorted: classifyRefreshError(error) };
  }
  return assert.fail('the refresh was expected to fail');
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return (res) => res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}
function bare(status: number, headers: Record<string, string> = {}, body = ''): Reply {
  return (res) => res.writeHead(status, headers).end(body);
}
const html = (status: number) => bare(status, { 'content-type': 'text/html' }, '<h1>Sorry</h1>');
/** What oidc-provider answers a refused client_secret_basic: a Basic challenge and a JSON body. */
const OIDC_PROVIDER_CHALLENGE = 'Basic realm="http://idp.test", error="invalid_client", error_description="client authentication failed"';

async function idToken(claims: Record<string, unknown>, alg = 'RS256'): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload = { iss: issuer, aud: 'app', sub: 'alice', iat: now, exp: now + 300, ...claims };
  if (alg === 'none') return `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`;
  return new SignJWT(payload).setProtectedHeader({ alg }).sign(signingKey);
}
const withIdToken = (id: string) => json(200, { access_token: 'at', token_type: 'Bearer', id_token: id });

interface Row {
  readonly answer: string;
  readonly reply: () => Reply | Promise<Reply>;
  readonly thrown: string;
  readonly sorted: Failure;
  /** The IdP never finishes its answer: the row waits out the short timeout. */
  readonly stalls?: true;
}

const terminal = (error: string): Failure => ({ kind: 'terminal', error });
const transient = (error: string): Failure => ({ kind: 'transient', error });
const uncertain = (error: string): Failure => ({ kind: 'uncertain', error });
const misconfigured = (error: string): Failure => ({ kind: 'misconfigured', error });

const ROWS: readonly Row[] = [
  // An OAuth error in a JSON body: its code decides, then its status.
  { answer: '400 invalid_grant', reply: () => json(400, { error: 'invalid_grant' }), thrown: 'ResponseBodyError', sorted: terminal('invalid_grant') },
  { answer: '400 invalid_request', reply: () => json(400, { error: 'invalid_request' }), thrown: 'ResponseBodyError', sorted: terminal('invalid_request') },
  { answer: '400 invalid_client', reply: () => json(400, { error: 'invalid_client' }), thrown: 'ResponseBodyError', sorted: misconfigured('invalid_client') },
  { answer: '400 unauthorized_client', reply: () => json(400, { error: 'unauthorized_client' }), thrown: 'ResponseBodyError', sorted: misconfigured('unauthorized_client') },
  { answer: '400 temporarily_unavailable', reply: () => json(400, { error: 'temporarily_unavailable' }), thrown: 'ResponseBodyError', sorted: transient('temporarily_unavailable') },
  { answer: '401 invalid_client without a challenge (oidc-provider, client_secret_post)', reply: () => json(401, { error: 'invalid_client' }), thrown: 'ResponseBodyError', sorted: misconfigured('invalid_client') },
  { answer: '401 invalid_grant', reply: () => json(401, { error: 'invalid_grant' }), thrown: 'ResponseBodyError', sorted: terminal('invalid_grant') },
  { answer: '403 invalid_client (an IdP that does not decode Basic credentials)', reply: () => json(403, { error: 'invalid_client' }), thrown: 'ResponseBodyError', sorted: misconfigured('invalid_client') },
  { answer: '403 access_denied', reply: () => json(403, { error: 'access_denied' }), thrown: 'ResponseBodyError', sorted: misconfigured('access_denied') },
  { answer: '404 with an OAuth error', reply: () => json(404, { error: 'not_found' }), thrown: 'ResponseBodyError', sorted: misconfigured('not_found') },
  { answer: '429 slow_down', reply: () => json(429, { error: 'slow_down' }), thrown: 'ResponseBodyError', sorted: transient('slow_down') },
  { answer: '429 with another code', reply: () => json(429, { error: 'rate_limited' }), thrown: 'ResponseBodyError', sorted: transient('rate_limited') },

  // A WWW-Authenticate challenge: openid-client throws before reading the body.
  { answer: '401 with a challenge (oidc-provider, client_secret_basic)', reply: () => json(401, { error: 'invalid_client' }, { 'www-authenticate': OIDC_PROVIDER_CHALLENGE }), thrown: 'WWWAuthenticateChallengeError', sorted: misconfigured('invalid_client') },
  { answer: '401 with a challenge naming no error, empty body', reply: () => bare(401, { 'www-authenticate': 'Basic realm="idp"' }), thrown: 'WWWAuthenticateChallengeError', sorted: misconfigured('http_401') },
  { answer: '400 with a challenge naming invalid_grant', reply: () => json(400, { error: 'invalid_grant' }, { 'www-authenticate': 'Bearer error="invalid_grant"' }), thrown: 'WWWAuthenticateChallengeError', sorted: terminal('invalid_grant') },
  { answer: '400 with a challenge naming no error', reply: () => bare(400, { 'www-authenticate': 'Bearer realm="idp"' }), thrown: 'WWWAuthenticateChallengeError', sorted: terminal('http_400') },
  { answer: '403 with a challenge naming invalid_client', reply: () => bare(403, { 'www-authenticate': 'Basic error="invalid_client"' }), thrown: 'WWWAuthenticateChallengeError', sorted: misconfigured('invalid_client') },
  { answer: '503 with a challenge', reply: () => bare(503, { 'www-authenticate': 'Bearer realm="idp"' }), thrown: 'WWWAuthenticateChallengeError', sorted: transient('http_503') },

  // No OAuth error to read: the status decides. A 400 is definitive whatever its body (C.25).
  { answer: '400 with an empty body', reply: () => bare(400), thrown: 'ClientError OAUTH_RESPONSE_IS_NOT_JSON (Response)', sorted: terminal('http_400') },
  { answer: '400 with an empty JSON body', reply: () => bare(400, { 'content-type': 'application/json' }), thrown: 'ClientError OAUTH_RESPONSE_IS_NOT_CONFORM (Response)', sorted: terminal('http_400') },
  { answer: '400 HTML', reply: () => html(400), thrown: 'ClientError OAUTH_RESPONSE_IS_NOT_JSON (Response)', sorted: terminal('http_400') },
  { answer: '400 JSON without an error code', reply: () => json(400, { message: 'refresh token expired' }), thrown: 'ClientError OAUTH_RESPONSE_IS_NOT_CONFORM (Response)', sorted: terminal('http_400') },
  { answer: '401 with an empty body and no challenge', reply: () => bare(401), thrown: 'ClientError OAUTH_RESPONSE_IS_NOT_JSON (Response)', sorted: misconfigured('http_401') },
  { answer: '403 HTML (a firewall in front of the IdP)', reply: () => html(403), thrown: 'ClientError OAUTH_RESPONSE_IS_NOT_JSON (Response)', sorted: misconfigured('http_403') },
  { answer: '404 (a wrong token endpoint URL)', reply: () => bare(404), thrown: 'ClientError OAUTH_RESPONSE_IS_NOT_JSON (Response)', sorted: misconfigured('http_404') },
  { answer: '405', reply: () => bare(405), thrown: 'ClientError OAUTH_RESPONSE_IS_NOT_JSON (Response)', sorted: misconfigured('http_405') },
  { answer: '302 to a login page', reply: () => bare(302, { location: 'https://sso.test/login' }), thrown: 'ClientError OAUTH_RESPONSE_IS_NOT_CONFORM (Response)', sorted: misconfigured('http_302') },
  { answer: '408', reply: () => bare(408), thrown: 'ClientError OAUTH_RESPONSE_IS_NOT_JSON (Response)', sorted: transient('http_408') },
  { answer: '429 with an empty body', reply: () => bare(429, { 'retry-after': '1' }), thrown: 'ClientError OAUTH_RESPONSE_IS_NOT_JSON (Response)', sorted: transient('http_429') },
  { answer: '500', reply: () => bare(500), thrown: 'ClientError OAUTH_RESPONSE_IS_NOT_CONFORM (Response)', sorted: transient('http_500') },
  { answer: '502 HTML', reply: () => html(502), thrown: 'ClientError OAUTH_RESPONSE_IS_NOT_CONFORM (Response)', sorted: transient('http_502') },
  { answer: '503 temporarily_unavailable (a 5xx body is not read)', reply: () => json(503, { error: 'temporarily_unavailable' }), thrown: 'ClientError OAUTH_RESPONSE_IS_NOT_CONFORM (Response)', sorted: transient('http_503') },
  { answer: '504', reply: () => bare(504), thrown: 'ClientError OAUTH_RESPONSE_IS_NOT_CONFORM (Response)', sorted: transient('http_504') },

  // A success the client cannot use: the IdP has probably rotated the refresh token.
  { answer: '200 HTML', reply: () => html(200), thrown: 'ClientError OAUTH_RESPONSE_IS_NOT_JSON (Response)', sorted: uncertain('OAUTH_RESPONSE_IS_NOT_JSON') },
  { answer: '204', reply: () => bare(204), thrown: 'ClientError OAUTH_RESPONSE_IS_NOT_CONFORM (Response)', sorted: uncertain('OAUTH_RESPONSE_IS_NOT_CONFORM') },
  { answer: '200 broken JSON', reply: () => bare(200, { 'content-type': 'application/json' }, '{"access_token":'), thrown: 'ClientError OAUTH_PARSE_ERROR', sorted: uncertain('OAUTH_PARSE_ERROR') },
  { answer: '200 JSON array', reply: () => json(200, []), thrown: 'ClientError OAUTH_INVALID_RESPONSE', sorted: uncertain('OAUTH_INVALID_RESPONSE') },
  { answer: '200 without an access token', reply: () => json(200, { token_type: 'Bearer', refresh_token: 'rt-2' }), thrown: 'ClientError OAUTH_INVALID_RESPONSE', sorted: uncertain('OAUTH_INVALID_RESPONSE') },
  { answer: '200 with an unknown token type', reply: () => json(200, { access_token: 'at', token_type: 'mac' }), thrown: 'ClientError OAUTH_UNSUPPORTED_OPERATION', sorted: uncertain('OAUTH_UNSUPPORTED_OPERATION') },
  { answer: '200 with an ID token that is not a JWT', reply: () => withIdToken('not-a-jwt'), thrown: 'ClientError OAUTH_INVALID_RESPONSE', sorted: uncertain('OAUTH_INVALID_RESPONSE') },

  // A success whose ID token fails validation: the answer cannot be trusted (C.27).
  { answer: '200 with an ID token for another audience', reply: async () => withIdToken(await idToken({ aud: 'someone-else' })), thrown: 'ClientError OAUTH_JWT_CLAIM_COMPARISON_FAILED', sorted: terminal('id_token_invalid') },
  { answer: '200 with an expired ID token', reply: async () => withIdToken(await idToken({ exp: Math.floor(Date.now() / 1000) - 600 })), thrown: 'ClientError OAUTH_JWT_TIMESTAMP_CHECK_FAILED', sorted: terminal('id_token_invalid') },
  { answer: '200 with an ID token without sub', reply: async () => withIdToken(await idToken({ sub: undefined })), thrown: 'ClientError OAUTH_INVALID_RESPONSE', sorted: terminal('id_token_invalid') },
  { answer: '200 with an unsigned ID token (alg none)', reply: async () => withIdToken(await idToken({}, 'none')), thrown: 'ClientError OAUTH_INVALID_RESPONSE', sorted: terminal('id_token_invalid') },

  // No answer, or half of one.
  { answer: 'no answer before the timeout', reply: () => () => {}, thrown: 'ClientError OAUTH_TIMEOUT', sorted: uncertain('timeout'), stalls: true },
  { answer: '200 whose body stalls past the timeout', reply: () => (res) => res.writeHead(200, { 'content-type': 'application/json' }).write('{"access_token":'), thrown: 'ClientError OAUTH_PARSE_ERROR', sorted: uncertain('OAUTH_PARSE_ERROR'), stalls: true },
  {
    answer: '200 whose connection is reset mid-body',
    reply: () => (res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' }).write('{"access_token":');
      setTimeout(() => res.socket?.resetAndDestroy(), 20);
    },
    thrown: 'ClientError OAUTH_PARSE_ERROR',
    sorted: uncertain('OAUTH_PARSE_ERROR'),
  },
  { answer: 'connection closed after the request arrived', reply: () => (res) => res.socket?.destroy(), thrown: 'TypeError (UND_ERR_SOCKET)', sorted: uncertain('UND_ERR_SOCKET') },
  { answer: 'connection reset after the request arrived', reply: () => (res) => res.socket?.resetAndDestroy(), thrown: 'TypeError (ECONNRESET)', sorted: uncertain('ECONNRESET') },
];

for (const row of ROWS) {
  test(`token endpoint answers ${row.answer} → ${row.sorted.kind}`, async () => {
    const { thrown, sorted } = await failure(await row.reply(), row.stalls ? stallingConfig : config);
    assert.equal(thrown, row.thrown, 'openid-client threw another shape than expected');
    assert.deepEqual(sorted, row.sorted);
  });
}

/** A token endpoint at `url`, without openid-client's permission for http unless asked. */
function endpointAt(url: string, allowHttp = true): client.Configuration {
  const at = new client.Configuration({ issuer, token_endpoint: url }, 'app', 'secret');
  if (allowHttp) client.allowInsecureRequests(at);
  at.timeout = 2;
  return at;
}

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

test('a request that never left is transient: a refused connection, a failed TLS handshake, an http endpoint openid-client will not call', async () => {
  assert.deepEqual(await failure(bare(200), endpointAt(`http://127.0.0.1:${await closedPort()}/token`)), { thrown: 'TypeError (ECONNREFUSED)', sorted: transient('ECONNREFUSED') });
  // https to a server that speaks plain HTTP: the handshake fails before the request is sent.
  const port = (server.address() as AddressInfo).port;
  assert.deepEqual(await failure(bare(200), endpointAt(`https://127.0.0.1:${port}/token`)), { thrown: 'TypeError (ERR_SSL_WRONG_VERSION_NUMBER)', sorted: transient('ERR_SSL_WRONG_VERSION_NUMBER') });
  assert.deepEqual(await failure(bare(200), endpointAt(`${issuer}/token`, false)), { thrown: 'ClientError OAUTH_HTTP_REQUEST_FORBIDDEN', sorted: transient('OAUTH_HTTP_REQUEST_FORBIDDEN') });
});

test('a certificate the server does not trust is transient: nothing was sent', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'renewal-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
  } catch {
    return t.skip('openssl is not installed: no self-signed certificate to serve');
  }
  const tls = createTlsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (_req, res) => res.end());
  await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
  t.after(() => tls.close());
  const { port } = tls.address() as AddressInfo;
  assert.deepEqual(await failure(bare(200), endpointAt(`https://127.0.0.1:${port}/token`)), { thrown: 'TypeError (DEPTH_ZERO_SELF_SIGNED_CERT)', sorted: transient('DEPTH_ZERO_SELF_SIGNED_CERT') });
});
