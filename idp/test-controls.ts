import type { Context, Next } from 'koa';
import { readBody, requestForm } from './request-form.js';
import { refreshTokenState, revokeAccount } from './store.js';

/**
 * Controls for the end-to-end suite and the soak: make the token endpoint fail, hang or
 * lose its answers (always, or at random rates), revoke a person's grants, and count what
 * the token and introspection endpoints served. Mounted only when DEV_IDP_TEST_CONTROLS=1,
 * and answering only loopback callers.
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
  /** Token requests being held right now by the hang mode. */
  held: number;
  /** Refresh requests presenting a token that was already rotated (the IdP then revokes the grant). */
  reuseDetected: number;
  introspection: { calls: number; active: number };
  faults: { fail503: number; fail429: number; delayed: number; lost: number };
  /** RP-initiated logout requests, by how the client identified the session. */
  endSession: { withIdTokenHint: number; clientIdOnly: number };
}

const emptyStats = (): IdpStats => ({
  token: {},
  tokenErrors: {},
  revocation: 0,
  failedByControl: 0,
  held: 0,
  reuseDetected: 0,
  introspection: { calls: 0, active: 0 },
  faults: { fail503: 0, fail429: 0, delayed: 0, lost: 0 },
  endSession: { withIdTokenHint: 0, clientIdOnly: 0 },
});

const NO_FAULTS: FaultProfile = { fail503: 0, fail429: 0, latencyRate: 0, latencyMs: 0, lose: 0 };

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function testControls() {
  let mode: TokenEndpointMode = 'ok';
  let faults: FaultProfile = NO_FAULTS;
  let releaseHang: () => void = () => {};
  let stats: IdpStats = emptyStats();

  function setMode(next: TokenEndpointMode): void {
    mode = next;
    if (next !== 'hang') {
      const release = releaseHang;
      releaseHang = () => {};
      release();
    }
  }

  async function control(ctx: Context): Promise<void> {
    if (!LOOPBACK.has(ctx.req.socket.remoteAddress ?? '')) ctx.throw(403, 'test controls answer loopback only');
    ctx.set('Cache-Control', 'no-store');
    const route = `${ctx.method} ${ctx.path}`;
    if (route === 'GET /__test/stats') {
      ctx.body = { ...stats, mode, faultProfile: faults };
    } else if (route === 'POST /__test/reset') {
      setMode('ok');
      faults = NO_FAULTS;
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
        const raw = await readBody(ctx.req, MAX_CONTROL_BODY);
        parsed = parseFaultProfile(raw.trim() === '' ? {} : JSON.parse(raw));
      } catch {
        parsed = 'the body must be JSON';
      }
      if (typeof parsed === 'string') ctx.throw(400, parsed);
      faults = parsed;
      ctx.body = { faultProfile: faults };
    } else if (route === 'POST /__test/revoke') {
      const account = ctx.query.account;
      if (typeof account !== 'string' || account === '') ctx.throw(400, 'account is required');
      ctx.body = { revokedGrants: revokeAccount(account) };
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

    const form = await requestForm(ctx);
    const isRefresh = form.get('grant_type') === 'refresh_token';
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
      if (ctx.query.id_token_hint) stats.endSession.withIdTokenHint += 1;
      else if (ctx.query.client_id) stats.endSession.clientIdOnly += 1;
    }
    await next();
    if (ctx.method !== 'POST') return;
    if (ctx.path === '/token/revocation' && ctx.status === 200) stats.revocation += 1;
    if (ctx.path === '/token/introspection') {
      stats.introspection.calls += 1;
      if ((ctx.body as { active?: unknown } | undefined)?.active === true) stats.introspection.active += 1;
    }
  };
}
