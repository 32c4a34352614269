import type { Context, Next } from 'koa';
import { revokeAccount } from './store.js';

/**
 * Controls for the end-to-end suite: make the token endpoint fail or hang, revoke a
 * person's grants, and count what the token endpoint served. Mounted only when
 * DEV_IDP_TEST_CONTROLS=1, and answering only loopback callers.
 */
export type TokenEndpointMode = 'ok' | 'fail' | 'hang';

interface Stats {
  token: Record<string, number>;
  tokenErrors: Record<string, number>;
  revocation: number;
  failedByControl: number;
  /** Token requests being held right now by the hang mode. */
  held: number;
}

const emptyStats = (): Stats => ({ token: {}, tokenErrors: {}, revocation: 0, failedByControl: 0, held: 0 });

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const MAX_HANG_MS = 120_000;

export function testControls() {
  let mode: TokenEndpointMode = 'ok';
  let releaseHang: () => void = () => {};
  let stats: Stats = emptyStats();

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
      ctx.body = { ...stats, mode };
    } else if (route === 'POST /__test/reset') {
      setMode('ok');
      stats = { ...emptyStats(), held: stats.held };
      ctx.body = { ok: true };
    } else if (route === 'POST /__test/token-endpoint') {
      const requested = ctx.query.mode;
      if (requested !== 'ok' && requested !== 'fail' && requested !== 'hang') ctx.throw(400, 'mode must be ok, fail or hang');
      setMode(requested);
      ctx.body = { mode };
    } else if (route === 'POST /__test/revoke') {
      const account = ctx.query.account;
      if (typeof account !== 'string' || account === '') ctx.throw(400, 'account is required');
      ctx.body = { revokedGrants: revokeAccount(account) };
    } else {
      ctx.throw(404, 'unknown test control');
    }
  }

  async function tokenEndpoint(ctx: Context, next: Next): Promise<void> {
    const hung = mode === 'hang';
    if (hung) {
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
    // A held request is never processed, even once released: like a request lost on the
    // way to the IdP, it must not spend the refresh token behind the client's back.
    if (hung || mode !== 'ok') {
      stats.failedByControl += 1;
      ctx.status = 503;
      ctx.body = { error: 'temporarily_unavailable', error_description: 'the token endpoint is failing on purpose (test control)' };
      return;
    }
    await next();
    const grantType = String(ctx.oidc?.params?.grant_type ?? 'unknown');
    stats.token[grantType] = (stats.token[grantType] ?? 0) + 1;
    const error = (ctx.body as { error?: unknown } | undefined)?.error;
    if (ctx.status >= 400 && typeof error === 'string') {
      const key = `${grantType}:${error}`;
      stats.tokenErrors[key] = (stats.tokenErrors[key] ?? 0) + 1;
    }
  }

  return async function testControlMiddleware(ctx: Context, next: Next): Promise<void> {
    if (ctx.path.startsWith('/__test/')) return control(ctx);
    if (ctx.method === 'POST' && ctx.path === '/token') return tokenEndpoint(ctx, next);
    await next();
    if (ctx.method === 'POST' && ctx.path === '/token/revocation' && ctx.status === 200) stats.revocation += 1;
  };
}
