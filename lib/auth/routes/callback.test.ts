import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test, type TestContext } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { NextRequest } from 'next/server';
import { createTestDb, type TestDb } from '../../db/test-db';
import type { SignInTransaction, StepUpRequest } from '../idp/oidc';
import type { SessionData } from '../session-payload';

/**
 * The sign-in callback (handleCallback) against a local IdP that implements what the
 * checks need: RFC 9207 `iss` advertised in discovery, codes bound to the PKCE challenge
 * and nonce of the sign-in that obtained them, ID tokens whose claims each test chooses,
 * and a userinfo endpoint. Every refusal must answer before a session is recorded; one
 * sign-in gets through, into a fresh database.
 */
let server: Server;
let testDb: TestDb;
let issuer: string;
let tokenRequests = 0;
/** Userinfo is asked only once the ID token passed every check: counting it tells why a sign-in stopped. */
let userinfoRequests = 0;
let userinfoSubject = 'alice';
/** What the IdP remembers of each code it issued: the PKCE challenge and nonce of that sign-in. */
const codes = new Map<string, { challenge: string; nonce: string }>();
/** How the next ID tokens are made: claims added or removed, and the signing key and algorithm. */
let idTokenShape: { claims?: Record<string, unknown>; without?: string[]; alg?: string; key?: CryptoKey } = {};
let idTokenKey: Awaited<ReturnType<typeof generateKeyPair>>;
let handleCallback: typeof import('./callback').handleCallback;
let startSignIn: typeof import('../idp/oidc').startSignIn;
let transactionCookieWrites: typeof import('./transaction-cookie').transactionCookieWrites;
let env: typeof import('../../env').env;

const ACCESS_TOKEN = 'access-token-value-0123456789';
const REFRESH_TOKEN = 'refresh-token-value-0123456789';

function json(res: ServerResponse, body: unknown, status = 200): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function form(req: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

async function idToken(nonce: string): Promise<string> {
  const claims: Record<string, unknown> = { iss: issuer, aud: 'app', sub: 'alice', nonce, iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 300, ...idTokenShape.claims };
  for (const name of idTokenShape.without ?? []) delete claims[name];
  return new SignJWT(claims).setProtectedHeader({ alg: idTokenShape.alg ?? 'RS256', kid: 'k1' }).sign(idTokenShape.key ?? idTokenKey.privateKey);
}

async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
  tokenRequests += 1;
  const params = await form(req);
  const issued = codes.get(params.get('code') ?? '');
  const verifier = params.get('code_verifier') ?? '';
  // RFC 7636 4.6: the verifier must hash to the challenge the code was issued for.
  if (!issued || createHash('sha256').update(verifier).digest('base64url') !== issued.challenge) {
    return json(res, { error: 'invalid_grant', error_description: 'grant request is invalid' }, 400);
  }
  codes.delete(params.get('code') ?? '');
  json(res, { access_token: ACCESS_TOKEN, token_type: 'Bearer', expires_in: 60, refresh_token: REFRESH_TOKEN, id_token: await idToken(issued.nonce) });
}

before(async () => {
  idTokenKey = await generateKeyPair('RS256', { extractable: true });
  const jwks = { keys: [{ ...(await exportJWK(idTokenKey.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
  server = createServer((req, res) => {
    if (req.url === '/.well-known/openid-configuration') {
      req.resume();
      return json(res, {
        issuer,
        authorization_endpoint: `${issuer}/auth`,
        token_endpoint: `${issuer}/token`,
        userinfo_endpoint: `${issuer}/userinfo`,
        jwks_uri: `${issuer}/jwks`,
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic'],
        authorization_response_iss_parameter_supported: true,
      });
    }
    if (req.url === '/token') return void token(req, res);
    req.resume();
    if (req.url === '/jwks') return json(res, jwks);
    if (req.url === '/userinfo') {
      userinfoRequests += 1;
      return json(res, { sub: userinfoSubject, name: 'Alice', email: 'alice@example.test' });
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  testDb = await createTestDb();
  Object.assign(process.env, { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: 'app', OIDC_CLIENT_SECRET: 'secret', REFRESH_TIMEOUT_MS: '500', DATABASE_URL: testDb.url });
  ({ handleCallback } = await import('./callback'));
  ({ startSignIn } = await import('../idp/oidc'));
  ({ transactionCookieWrites } = await import('./transaction-cookie'));
  ({ env } = await import('../../env'));
});
after(async () => {
  server.closeAllConnections();
  server.close();
  await testDb.close();
});

interface Attempt {
  readonly transaction: SignInTransaction;
  /** The code the IdP issued to this sign-in, bound to its PKCE challenge and nonce. */
  readonly code: string;
  /** The Cookie header carrying this sign-in's transaction cookie. */
  readonly cookie: string;
}

/** Starts a sign-in as /auth/login (or /auth/step-up) does, and has the person sign in at the IdP. */
async function signInAtIdp(silent = false, stepUp?: StepUpRequest): Promise<Attempt> {
  const { url, transaction } = await startSignIn(stepUp ? '/sessions' : '/dashboard', { silent, stepUp });
  const code = `code-${Math.random().toString(36).slice(2)}`;
  codes.set(code, { challenge: url.searchParams.get('code_challenge') ?? '', nonce: url.searchParams.get('nonce') ?? '' });
  const config = env();
  const [write] = await transactionCookieWrites(transaction, { get: () => undefined, getAll: () => [] }, config.session, config.secureCookies);
  return { transaction, code, cookie: `${write!.name}=${write!.value}` };
}

/** The IdP's redirect to /auth/callback, as the browser follows it; `finishAction` finishes a step-up's kept action. */
async function callback(query: Record<string, string>, cookie?: string, finishAction?: (action: unknown, session: SessionData) => Promise<string>) {
  const url = new URL('http://localhost:3000/auth/callback');
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  const response = await handleCallback(new NextRequest(url, { headers: cookie ? { cookie } : {} }), finishAction);
  // Checklist A.14: every callback answer redirects at once, leaks its URL in no Referer, and is not stored.
  assert.equal(response.status, 303);
  assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
  assert.equal(response.headers.get('cache-control'), 'no-store');
  const location = new URL(response.headers.get('location') ?? '');
  const setCookies = response.headers.getSetCookie();
  return {
    location,
    reason: location.pathname === '/signin' ? location.searchParams.get('reason') : undefined,
    /** The session cookies this answer sets with a value (a refusal sets none). */
    sessionCookies: setCookies.filter((line) => /^(__Host-)?renewal-session(\.\d+)?=[^;]/.test(line)),
    setCookies,
  };
}

/** The normal answer for `attempt`: code, state and the IdP's iss. */
function answer(attempt: Attempt, extra: Record<string, string> = {}): Record<string, string> {
  return { code: attempt.code, state: attempt.transaction.state, iss: issuer, ...extra };
}

/**
 * Sends `attempt`'s callback with userinfo naming someone else, so that a sign-in whose
 * ID token passed every check stops there, before the session would be recorded.
 */
async function stoppedBeforeRecording(attempt: Attempt): Promise<{ idTokenAccepted: boolean }> {
  const asked = userinfoRequests;
  userinfoSubject = 'mallory';
  try {
    const refused = await callback(answer(attempt), attempt.cookie);
    assert.equal(refused.reason, 'callback_failed');
    assert.deepEqual(refused.sessionCookies, []);
  } finally {
    userinfoSubject = 'alice';
  }
  return { idTokenAccepted: userinfoRequests > asked };
}

function quiet(t: TestContext) {
  return { warn: t.mock.method(console, 'warn', () => {}), error: t.mock.method(console, 'error', () => {}) };
}

/** Everything the test's console.warn and console.error received, as one string. */
function logged(logs: ReturnType<typeof quiet>): string {
  return [...logs.warn.mock.calls, ...logs.error.mock.calls].map((call) => call.arguments.map(String).join(' ')).join('\n');
}

test('a sign-in that passes every check: a session cookie, and straight back to the page asked for', async () => {
  const attempt = await signInAtIdp();
  const signedIn = await callback(answer(attempt), attempt.cookie);
  assert.equal(signedIn.location.href, 'http://localhost:3000/dashboard');
  assert.equal(signedIn.sessionCookies.length, 1);
  assert.equal(await testDb.db.session.count(), 1);
});

test('a parameter of the answer sent twice (state, code, iss, error): 400, before anything is read', async () => {
  const attempt = await signInAtIdp();
  const before = tokenRequests;
  for (const name of ['state', 'code', 'iss', 'error']) {
    const url = new URL('http://localhost:3000/auth/callback');
    for (const [key, value] of Object.entries(answer(attempt, { error: 'access_denied' }))) url.searchParams.set(key, value);
    url.searchParams.append(name, 'second');
    const response = await handleCallback(new NextRequest(url, { headers: { cookie: attempt.cookie } }));
    assert.equal(response.status, 400, name);
    assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
    assert.deepEqual(response.headers.getSetCookie(), [], name);
  }
  assert.equal(tokenRequests - before, 0);
});

test('without its transaction cookie, or with one past its 10 minutes: "sign-in expired", and no token request', async (t) => {
  quiet(t);
  const attempt = await signInAtIdp();
  const before = tokenRequests;
  const absent = await callback(answer(attempt));
  assert.equal(absent.reason, 'signin_expired');
  assert.deepEqual(absent.sessionCookies, []);

  const realNow = Date.now();
  const stale = await (async () => {
    // Sealed eleven minutes ago: iron stamps the expiry from Date.now() at sealing time.
    const clock = t.mock.method(Date, 'now', () => realNow - 11 * 60_000);
    try {
      return await signInAtIdp();
    } finally {
      clock.mock.restore();
    }
  })();
  const expired = await callback(answer(stale), stale.cookie);
  assert.equal(expired.reason, 'signin_expired');
  assert.deepEqual(expired.sessionCookies, []);
  assert.equal(tokenRequests - before, 0);
});

test('a code obtained by another sign-in (its PKCE verifier does not match): invalid_grant, "could not be verified", no session', async (t) => {
  const logs = quiet(t);
  const victim = await signInAtIdp();
  const attacker = await signInAtIdp();
  const before = tokenRequests;
  // The attacker's browser, with its own transaction, presents the victim's code.
  const refused = await callback(answer(attacker, { code: victim.code }), attacker.cookie);
  assert.equal(tokenRequests - before, 1);
  assert.equal(refused.reason, 'callback_failed');
  assert.deepEqual(refused.sessionCookies, []);
  assert.doesNotMatch(logged(logs), new RegExp(victim.code));
  // The transaction is spent: the same answer again asks the IdP nothing.
  assert.ok(refused.setCookies.some((line) => line.startsWith(`${attacker.cookie.split('=')[0]}=;`)), 'the transaction cookie is cleared');
});

test("login_required from the IdP: a fixed explanation, no session, and the IdP's error_description is shown nowhere", async (t) => {
  const logs = quiet(t);
  const description = '<script>alert(1)</script> login needed';
  for (const silent of [false, true]) {
    const attempt = await signInAtIdp(silent);
    const before = tokenRequests;
    const refused = await callback({ state: attempt.transaction.state, iss: issuer, error: 'login_required', error_description: description }, attempt.cookie);
    // A silent re-authentication asks the person to sign in; a sign-in they started says the IdP could not.
    assert.equal(refused.reason, silent ? 'reauth_required' : 'idp_error');
    assert.deepEqual(refused.sessionCookies, []);
    assert.equal(tokenRequests - before, 0);
    assert.deepEqual([...refused.location.searchParams.keys()].sort(), ['reason', 'returnTo']);
  }
  assert.doesNotMatch(logged(logs), /script|login needed/);
});

test('RFC 9207: an IdP that advertises the iss response parameter, answering with another iss or none, is refused before any token request', async (t) => {
  quiet(t);
  const before = tokenRequests;
  const wrong = await signInAtIdp();
  assert.equal((await callback(answer(wrong, { iss: 'https://evil.example' }), wrong.cookie)).reason, 'callback_failed');
  const missing = await signInAtIdp();
  const { iss: _omitted, ...withoutIss } = answer(missing);
  assert.equal((await callback(withoutIss, missing.cookie)).reason, 'callback_failed');
  assert.equal(tokenRequests - before, 0);
  // The same answer with the IdP's iss gets as far as the token request.
  const good = await signInAtIdp();
  await stoppedBeforeRecording(good);
  assert.equal(tokenRequests - before, 1);
});

test('an ID token at sign-in with a wrong iss, aud, azp, no sub or iat, expired, an unexpected alg, or a wrong or missing nonce: no session', async (t) => {
  const logs = quiet(t);
  const now = Math.floor(Date.now() / 1000);
  const hmacKey = new TextEncoder().encode('secret'.padEnd(32, '!'));
  const shapes: [string, typeof idTokenShape][] = [
    ['iss of another issuer', { claims: { iss: 'https://evil.example' } }],
    ['aud without our client id', { claims: { aud: 'another-client' } }],
    ['aud with ours and another, azp naming the other', { claims: { aud: ['app', 'another-client'], azp: 'another-client' } }],
    ['azp naming another client', { claims: { azp: 'another-client' } }],
    ['no sub', { without: ['sub'] }],
    ['no iat', { without: ['iat'] }],
    ['expired', { claims: { exp: now - 3600, iat: now - 7200 } }],
    ['HS256 (the client secret as key)', { alg: 'HS256', key: hmacKey as unknown as CryptoKey }],
    ['a nonce of another sign-in', { claims: { nonce: 'another-nonce' } }],
    ['no nonce', { without: ['nonce'] }],
  ];
  // The ID token as the IdP makes it passes.
  assert.deepEqual(await stoppedBeforeRecording(await signInAtIdp()), { idTokenAccepted: true });
  for (const [shape, made] of shapes) {
    idTokenShape = made;
    try {
      assert.deepEqual(await stoppedBeforeRecording(await signInAtIdp()), { idTokenAccepted: false }, shape);
    } finally {
      idTokenShape = {};
    }
  }
  // The refusals are logged without the tokens the IdP sent.
  assert.doesNotMatch(logged(logs), new RegExp(`${ACCESS_TOKEN}|${REFRESH_TOKEN}|eyJ`));
});

test('userinfo naming another subject than the ID token: no session', async (t) => {
  const logs = quiet(t);
  // The ID token carries no name or email, so the callback asks userinfo for them.
  assert.deepEqual(await stoppedBeforeRecording(await signInAtIdp()), { idTokenAccepted: true });
  assert.doesNotMatch(logged(logs), new RegExp(`${ACCESS_TOKEN}|${REFRESH_TOKEN}`));
});

describe('step-up: the IdP\'s answer to a sensitive action\'s fresh authentication', () => {
  /** A signed-in browser: its session cookie and id, and a kept action waiting for a step-up. */
  async function signedInWithKeptAction() {
    const before = new Set((await testDb.db.session.findMany({ select: { id: true } })).map((row) => row.id));
    const attempt = await signInAtIdp();
    const signedIn = await callback(answer(attempt), attempt.cookie);
    const sessionCookie = signedIn.sessionCookies[0]!.split(';')[0]!;
    const [row] = (await testDb.db.session.findMany({ select: { id: true } })).filter((candidate) => !before.has(candidate.id));
    const { keepIntent } = await import('../registry/step-up-intents');
    const intent = await keepIntent(row!.id, { action: { kind: 'end_other_sessions' }, returnTo: '/sessions' }, Math.floor(Date.now() / 1000));
    return { sessionCookie, sid: row!.id, stepUp: { intent, maxAgeSec: 300, forceLogin: false } satisfies StepUpRequest };
  }

  const finished: Array<{ action: unknown; sid: string }> = [];
  const finish = async (action: unknown, session: SessionData) => {
    finished.push({ action, sid: session.sid });
    return '/sessions?status=ended_others&count=1';
  };

  test('a recent authentication of the same person: the same session continues, the kept action is finished once', async () => {
    const { sessionCookie, sid, stepUp } = await signedInWithKeptAction();
    idTokenShape = { claims: { auth_time: Math.floor(Date.now() / 1000) - 5 } };
    try {
      const attempt = await signInAtIdp(false, stepUp);
      const done = await callback(answer(attempt), `${attempt.cookie}; ${sessionCookie}`, finish);
      assert.equal(done.location.pathname + done.location.search, '/sessions?status=ended_others&count=1');
      assert.deepEqual(finished.splice(0), [{ action: { kind: 'end_other_sessions' }, sid }]);
      assert.equal(done.sessionCookies.length, 1, 'the continued session\'s cookie');
      const row = await testDb.db.session.findUniqueOrThrow({ where: { id: sid } });
      assert.equal(row.tokenVersion, 1, 'its next generation, not a new session');
      assert.equal(row.revokedAt, null);

      // The same answer replayed, or the kept action asked for again: nothing more is done.
      const again = await signInAtIdp(false, stepUp);
      const replay = await callback(answer(again), `${again.cookie}; ${sessionCookie}`, finish);
      assert.equal(replay.location.search, '?status=step_up_expired');
      assert.deepEqual(finished, []);
    } finally {
      idTokenShape = {};
    }
  });

  test('an IdP that answered with an old authentication is asked once more with prompt=login; a second old answer fails, signing no one out', async (t) => {
    const logs = quiet(t);
    const { sessionCookie, sid, stepUp } = await signedInWithKeptAction();
    idTokenShape = { claims: { auth_time: Math.floor(Date.now() / 1000) - 3600 } };
    try {
      const attempt = await signInAtIdp(false, stepUp);
      const retried = await callback(answer(attempt), `${attempt.cookie}; ${sessionCookie}`, finish);
      assert.equal(retried.location.origin + retried.location.pathname, `${issuer}/auth`);
      assert.equal(retried.location.searchParams.get('prompt'), 'login');
      assert.equal(retried.location.searchParams.get('max_age'), '300');
      assert.deepEqual(retried.sessionCookies, []);

      const forced = await signInAtIdp(false, { ...stepUp, forceLogin: true });
      const failed = await callback(answer(forced), `${forced.cookie}; ${sessionCookie}`, finish);
      assert.equal(failed.location.pathname + failed.location.search, '/sessions?status=step_up_failed');
      assert.deepEqual(failed.sessionCookies, []);
      assert.deepEqual(finished, []);
      assert.equal((await testDb.db.session.findUniqueOrThrow({ where: { id: sid } })).revokedAt, null);
      assert.match(logged(logs), /without a recent authentication \(auth_time \d+/);
    } finally {
      idTokenShape = {};
    }
  });

  test('another person at the IdP, or a step-up cancelled there: nothing is done, the session goes on untouched', async () => {
    const { sessionCookie, sid, stepUp } = await signedInWithKeptAction();
    idTokenShape = { claims: { sub: 'mallory', auth_time: Math.floor(Date.now() / 1000) } };
    userinfoSubject = 'mallory';
    try {
      const attempt = await signInAtIdp(false, stepUp);
      const other = await callback(answer(attempt), `${attempt.cookie}; ${sessionCookie}`, finish);
      assert.equal(other.location.search, '?status=step_up_other_person');
      assert.deepEqual(other.sessionCookies, []);
    } finally {
      idTokenShape = {};
      userinfoSubject = 'alice';
    }
    const cancelled = await signInAtIdp(false, stepUp);
    const answered = await callback({ state: cancelled.transaction.state, error: 'access_denied', iss: issuer }, `${cancelled.cookie}; ${sessionCookie}`, finish);
    assert.equal(answered.location.pathname + answered.location.search, '/sessions?status=step_up_cancelled');
    assert.ok(!answered.setCookies.some((line) => /^renewal-session=/.test(line)), 'the session cookie is neither set nor cleared');
    assert.deepEqual(finished, []);
    const row = await testDb.db.session.findUniqueOrThrow({ where: { id: sid } });
    assert.equal(row.tokenVersion, 0);
    assert.equal(row.revokedAt, null);
  });
});
