/**
 * Burst at expiry: many parallel requests carrying one expired cookie, against the dev
 * IdP with strict rotation. The cookie is the benchmark's own sign-in with its expiry
 * moved into the past (the benchmark knows the session secret), so its refresh token is real.
 */
import { performance } from 'node:perf_hooks';
import { type CookieSettings, sealSession, unsealSession } from '../../lib/auth/cookie/sealed-cookie';
import { isReference } from '../../lib/auth/session-payload';

export interface BurstResult {
  readonly requests: number;
  readonly failures: number;
  readonly refreshCalls: number;
  readonly refreshErrors: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly singleRenewalMs: number;
}

export async function expireCookie(cookie: string, settings: CookieSettings): Promise<string> {
  const sealed = cookie.slice('renewal-session='.length);
  const unsealed = await unsealSession(sealed, settings);
  if (!unsealed || isReference(unsealed.session)) throw new Error('could not open the benchmark session cookie, or it holds no tokens (reference mode)');
  const now = Math.floor(Date.now() / 1000);
  const { session } = unsealed;
  const expired = { ...session, tokens: { ...session.tokens, expiresAt: now - 1, issuedAt: now - 3601 } };
  return `renewal-session=${await sealSession(expired, settings)}`;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function timed(url: string, cookie: string): Promise<{ ms: number; ok: boolean }> {
  const started = performance.now();
  const response = await fetch(url, { headers: { cookie } });
  await response.arrayBuffer();
  return { ms: performance.now() - started, ok: response.status === 200 };
}

interface IdpStats {
  token: Record<string, number>;
  tokenErrors: Record<string, number>;
}

async function idpStats(idpUrl: string): Promise<IdpStats> {
  return (await fetch(`${idpUrl}/__test/stats`)).json() as Promise<IdpStats>;
}

export async function burst(appUrl: string, idpUrl: string, expiredCookie: string, singleExpiredCookie: string, size: number): Promise<BurstResult> {
  const single = await timed(`${appUrl}/api/me`, singleExpiredCookie);
  if (!single.ok) throw new Error('the single renewal failed');

  await fetch(`${idpUrl}/__test/reset`, { method: 'POST' });
  const results = await Promise.all(Array.from({ length: size }, () => timed(`${appUrl}/api/me`, expiredCookie)));
  const stats = await idpStats(idpUrl);
  const sorted = results.map((r) => r.ms).sort((a, b) => a - b);
  return {
    requests: size,
    failures: results.filter((r) => !r.ok).length,
    refreshCalls: stats.token.refresh_token ?? 0,
    refreshErrors: Object.values(stats.tokenErrors).reduce((a, b) => a + b, 0),
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    singleRenewalMs: single.ms,
  };
}
