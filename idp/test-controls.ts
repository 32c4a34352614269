import { CompactSign, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Context, Next } from 'koa';
import { type DemoAccount, type ProfileChange, ProfileError, resetProfiles, updateProfile } from './accounts.js';
import { fromLoopback } from './loopback.js';
import { readBody, requestForm } from './request-form.js';
import { refreshTokenState, revokeAccount } from './store.js';

/**
 * Controls for the end-to-end suite and the soak: make the token endpoint fail, hang or
 * lose its answers (always, or at random rates), revoke a person's grants, change a
 * person's name or email, rotate the key that signs ID tokens or forge one, and count what
 * the token, introspection, userinfo and JWKS endpoints served. Mounted only when
 * DEV_IDP_TEST_CONTROLS=1, and answering only loopback callers.
 */
export type TokenEndpointMode = 'ok' | 'fail' | 'hang' | 'lose';

/**
 * Random faults for refresh_token grants, each a probability from 0 to 1. 503 and 429 are
 * answered without processing the request. `latencyRate` delays the request by `latencyMs`
 * before processing it. `lose` processes the refresh (the token is rotated) and then drops
 * the connection instead of answering: the client never learns the new token.
 */
export interface FaultProfile {
  readonly fail503: number;
  readonly fail429: number;
  readonly latencyRate: number;
  readonly latencyMs: number;
  readonly lose: number;
}

/** What GET /__test/stats answers (with `mode`). */
export interface IdpStats {
  token: Record<string, number>;
  tokenErrors: Record<string, number>;
  revocation: number;
  failedByControl: number;
  /** Refresh-token grants received, whatever the answer (a fault, an outage, a hang included): what a client sent. */
  refreshRequests: number;
  /** Token requests being held right now by the hang mode. */
  held: number;
  /** Refresh requests presenting a token that was already rotated (the IdP then revokes the grant). */
  reuseDetected: number;
  introspection: { calls: number; active: number };
  /** JWKS documents served: how often clients fetched the signing keys. */
  jwks: number;
  /** Requests to userinfo (/me) answered 200: how often clients fetched the profile claims. */
  userinfo: number;
  /** Pushed authorization requests accepted (RFC 9126, POST /request answered 201). */
  par: number;
  faults: { fail503: number; fail429: number; delayed: number; lost: number };
  /** RP-initiated logout requests, by how the client identified the session. */
  endSession: { withIdTokenHint: number; clientIdOnly: number };
}

const emptyStats = (): IdpStats => ({
  token: {},
  tokenErrors: {},
  revocation: 0,
  failedByControl: 0,
  refreshRequests: 0,
  held: 0,
  reuseDetected: 0,
  introspection: { calls: 0, active: 0 },
  jwks: 0,
  userinfo: 0,
  par: 0,
  faults: { fail503: 0, fail429: 0, delayed: 0, lost: 0 },
  endSession: { withIdTokenHint: 0, clientIdOnly: 0 },
});

const NO_FAULTS: FaultProfile = { fail503: 0, fail429: 0, latencyRate: 0, latencyMs: 0, lose: 0 };

const MAX_HANG_MS = 120_000;
const MAX_LATENCY_MS = 60_000;
const MAX_CONTROL_BODY = 4096;
const MODES: readonly TokenEndpointMode[] = ['ok', 'fail', 'hang', 'lose'];

/** Parses a fault profile; every field is optional (absent = 0) and checked. */
export function parseFaultProfile(input: unknown): FaultProfile | string {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return 'the body must be a JSON object';
  const given = input as Record<string, unknown>;
  const unknownKeys = Object.keys(given).filter((key) => !(key in NO_FAULTS));
  if (unknownKeys.length > 0) return `unknown fault ${unknownKeys.join(', ')}`;
  const profile: Record<string, number> = { ...NO_FAULTS };
  for (const key of Object.keys(NO_FAULTS)) {
    const value = given[key];
    if (value === undefined) continue;
    const max = key === 'latencyMs' ? MAX_LATENCY_MS : 1;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max) return `${key} must be a number from 0 to ${max}`;
    profile[key] = value;
  }
  if (profile.fail503! + profile.fail429! > 1) return 'fail503 + fail429 must not exceed 1';
  return profile as unknown as FaultProfile;
}

/** Parses the body of POST /__test/profile: `name` and `email`, each optional. */
export function parseProfileChange(input: unknown): ProfileChange | string {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return 'the body must be a JSON object';
  const given = input as Record<string, unknown>;
  const unknownKeys = Object.keys(given).filter((key) => key !== 'name' && key !== 'email');
  if (unknownKeys.length > 0) return `unknown field ${unknownKeys.join(', ')}`;
  for (const key of ['name', 'email'] as const) {
    if (given[key] !== undefined && typeof given[key] !== 'string') return `${key} must be a string`;
  }
  return given as ProfileChange;
}

async function readJson(ctx: Context): Promise<unknown> {
  const raw = await readBody(ctx.req, MAX_CONTROL_BODY);
  return raw.trim() === '' ? {} : JSON.parse(raw);
}

/** What POST /__test/profile answers. */
function profileOf(account: DemoAccount): { account: string; name: string; email: string } {
  return { account: account.id, name: account.name, email: account.email };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

async function newSigningKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

const MAX_RESIGNED_REMEMBERED = 1000;

/**
 * Signing-key controls, acting on the token endpoint's answers (oidc-provider cannot change
 * its keys while running): `rotate()` publishes a new key first in the JWKS, the IdP's own
 * after it (tokens it already signed still verify, as during a real rotation), and re-signs
 * every ID token the token endpoint issues with it; `forgeNext()` signs the next one with a
 * key never published, under the kid in use. A re-signed ID token presented back as
 * `id_token_hint` is swapped for the original, which oidc-provider can verify.
 */
function idTokenSigner() {
  let rotated: SigningKey | undefined;
  let rotations = 0;
  let forgeNext = false;
  const originals = new Map<string, string>();

  async function resign(idToken: string): Promise<string> {
    const forge = forgeNext;
    forgeNext = false;
    if (!forge && !rotated) return idToken;
    const [header = '', payload = ''] = idToken.split('.');
    const protectedHeader = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>;
    const kid = rotated?.kid ?? protectedHeader.kid;
    const key = forge ? (await generateKeyPair('RS256')).privateKey : rotated!.privateKey;
    const signed = await new CompactSign(Buffer.from(payload, 'base64url')).setProtectedHeader({ ...protectedHeader, alg: 'RS256', kid: String(kid) }).sign(key);
    if (originals.size >= MAX_RESIGNED_REMEMBERED) originals.clear();
    originals.set(signed, idToken);
    return signed;
  }

  return {
    async rotate(): Promise<string> {
      rotations += 1;
      rotated = await newSigningKey(`rotated-${rotations}`);
      return rotated.kid;
    },
    forgeNext(): void {
      forgeNext = true;
    },
    /** Back to the IdP's own key; ID tokens already re-signed are still swapped back. */
    reset(): void {
      rotated = undefined;
      forgeNext = false;
    },
    resign,
    /** The JWKS to publish: the rotated key first, then the IdP's own. */
    published(keys: readonly unknown[]): readonly unknown[] {
      return rotated ? [rotated.publicJwk, ...keys] : keys;
    },
    original: (idToken: string): string | undefined => originals.get(idToken),
  };
}

export function testControls() {
  let mode: TokenEndpointMode = 'ok';
  let faults: FaultProfile = NO_FAULTS;
  let releaseHang: () => void = () => {};
  let stats: IdpStats = emptyStats();
  const signer = idTokenSigner();

  function setMode(next: TokenEndpointMode): void {
    mode = next;
    if (next !== 'hang') {
      const release = releaseHang;
      releaseHang = () => {};
      release();
    }
  }

  async function control(ctx: Context): Promise<void> {
    if (!fromLoopback(ctx.req)) ctx.throw(403, 'test controls answer loopback only');
    ctx.set('Cache-Control', 'no-store');
    const route = `${ctx.method} ${ctx.path}`;
    if (route === 'GET /__test/stats') {
      ctx.body = { ...stats, mode, faultProfile: faults };
    } else if (route === 'POST /__test/reset') {
      setMode('ok');
      faults = NO_FAULTS;
      signer.reset();
      resetProfiles();
      stats = { ...emptyStats(), held: stats.held };
      ctx.body = { ok: true };
    } else if (route === 'POST /__test/token-endpoint') {
      const requested = ctx.query.mode;
      if (typeof requested !== 'string' || !MODES.includes(requested as TokenEndpointMode)) ctx.throw(400, `mode must be one of ${MODES.join(', ')}`);
      setMode(requested as TokenEndpointMode);
      ctx.body = { mode };
    } else if (route === 'POST /__test/faults') {
      let parsed: FaultProfile | string;
      try {
        parsed = parseFaultProfile(await readJson(ctx));
      } catch {
        parsed = 'the body must be JSON';
      }
      if (typeof parsed === 'string') ctx.throw(400, parsed);
      faults = parsed;
      ctx.body = { faultProfile: faults };
    } else if (route === 'POST /__test/rotate-signing-key') {
      ctx.body = { kid: await signer.rotate() };
    } else if (route === 'POST /__test/forge-next-id-token') {
      signer.forgeNext();
      ctx.body = { ok: true };
    } else if (route === 'POST /__test/revoke') {
      const account = ctx.query.account;
      if (typeof account !== 'string' || account === '') ctx.throw(400, 'account is required');
      ctx.body = { revokedGrants: revokeAccount(account) };
    } else if (route === 'POST /__test/profile') {
      const account = ctx.query.account;
      if (typeof account !== 'string' || account === '') ctx.throw(400, 'account is required');
      let change: ProfileChange | string;
      try {
        change = parseProfileChange(await readJson(ctx));
      } catch {
        change = 'the body must be JSON';
      }
      if (typeof change === 'string') ctx.throw(400, change);
      try {
        ctx.body = profileOf(updateProfile(account, change));
      } catch (error) {
        if (error instanceof ProfileError) ctx.throw(400, error.message);
        throw error;
      }
    } else {
      ctx.throw(404, 'unknown test control');
    }
  }

  async function hold(): Promise<void> {
    stats.held += 1;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, MAX_HANG_MS);
      const previous = releaseHang;
      releaseHang = () => {
        clearTimeout(timer);
        previous();
        resolve();
      };
    });
    stats.held -= 1;
  }

  async function tokenEndpoint(ctx: Context, next: Next): Promise<void> {
    const form = await requestForm(ctx);
    const isRefresh = form.get('grant_type') === 'refresh_token';
    if (isRefresh) stats.refreshRequests += 1;
    const hung = mode === 'hang';
    if (hung) await hold();
    // A held request is never processed, even once released: like a request lost on the
    // way to the IdP, it must not spend the refresh token behind the client's back.
    if (hung || mode === 'fail') {
      stats.failedByControl += 1;
      ctx.status = 503;
      ctx.body = { error: 'temporarily_unavailable', error_description: 'the token endpoint is failing on purpose (test control)' };
      return;
    }

    let lose = isRefresh && mode === 'lose';
    if (isRefresh) {
      const draw = Math.random();
      if (draw < faults.fail503) {
        stats.faults.fail503 += 1;
        ctx.status = 503;
        ctx.body = { error: 'temporarily_unavailable', error_description: 'random 503 (test control)' };
        return;
      }
      if (draw < faults.fail503 + faults.fail429) {
        stats.faults.fail429 += 1;
        ctx.status = 429;
        ctx.set('Retry-After', '1');
        ctx.body = { error: 'temporarily_unavailable', error_description: 'random 429 (test control)' };
        return;
      }
      if (Math.random() < faults.latencyRate) {
        stats.faults.delayed += 1;
        await sleep(faults.latencyMs);
      }
      lose ||= Math.random() < faults.lose;
      const presented = form.get('refresh_token');
      if (presented && refreshTokenState(presented) === 'consumed') stats.reuseDetected += 1;
    }

    await next();
    const answer = ctx.body as { id_token?: unknown } | undefined;
    if (ctx.status === 200 && typeof answer?.id_token === 'string') answer.id_token = await signer.resign(answer.id_token);
    const grantType = String(ctx.oidc?.params?.grant_type ?? 'unknown');
    stats.token[grantType] = (stats.token[grantType] ?? 0) + 1;
    const error = (ctx.body as { error?: unknown } | undefined)?.error;
    if (ctx.status >= 400 && typeof error === 'string') {
      const key = `${grantType}:${error}`;
      stats.tokenErrors[key] = (stats.tokenErrors[key] ?? 0) + 1;
    }
    if (lose) {
      // The refresh happened (the old token is spent, the new one stored), but the answer
      // never reaches the client: the ambiguous failure a client must survive.
      stats.faults.lost += 1;
      ctx.respond = false;
      ctx.req.socket.destroy();
    }
  }

  return async function testControlMiddleware(ctx: Context, next: Next): Promise<void> {
    if (ctx.path.startsWith('/__test/')) return control(ctx);
    if (ctx.method === 'POST' && ctx.path === '/token') return tokenEndpoint(ctx, next);
    if (ctx.method === 'GET' && ctx.path === '/session/end') {
      const hint = ctx.query.id_token_hint;
      if (hint) stats.endSession.withIdTokenHint += 1;
      else if (ctx.query.client_id) stats.endSession.clientIdOnly += 1;
      const original = typeof hint === 'string' ? signer.original(hint) : undefined;
      if (original) ctx.query = { ...ctx.query, id_token_hint: original };
    }
    if (ctx.method === 'GET' && ctx.path === '/jwks') {
      stats.jwks += 1;
      await next();
      const { type } = ctx;
      ctx.body = { keys: signer.published((ctx.body as { keys: readonly unknown[] }).keys) };
      ctx.type = type;
      return;
    }
    await next();
    if (ctx.path === '/me' && ctx.status === 200) stats.userinfo += 1;
    if (ctx.method !== 'POST') return;
    if (ctx.path === '/request' && ctx.status === 201) stats.par += 1;
    if (ctx.path === '/token/revocation' && ctx.status === 200) stats.revocation += 1;
    if (ctx.path === '/token/introspection') {
      stats.introspection.calls += 1;
      if ((ctx.body as { active?: unknown } | undefined)?.active === true) stats.introspection.active += 1;
    }
  };
}
