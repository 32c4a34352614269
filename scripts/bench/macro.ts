/** Macro benchmark: the same handler behind the proxy with a valid session, and without it. */
import autocannon from 'autocannon';

export interface LoadResult {
  readonly requestsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
}

async function load(url: string, cookie: string | undefined, durationSec: number): Promise<LoadResult> {
  const result = await autocannon({ url, connections: 16, duration: durationSec, headers: cookie ? { cookie } : {} });
  return {
    requestsPerSec: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

export interface MacroResult {
  readonly unprotected: LoadResult;
  readonly protectedValid: LoadResult;
}

export async function macro(appUrl: string, cookie: string, durationSec: number): Promise<MacroResult> {
  // Warm both paths, then alternate so drift on a shared machine hits both alike.
  await load(`${appUrl}/status`, undefined, 2);
  await load(`${appUrl}/api/status`, cookie, 2);
  const halves = durationSec / 2;
  const u1 = await load(`${appUrl}/status`, undefined, halves);
  const p1 = await load(`${appUrl}/api/status`, cookie, halves);
  const p2 = await load(`${appUrl}/api/status`, cookie, halves);
  const u2 = await load(`${appUrl}/status`, undefined, halves);
  const mean = (a: LoadResult, b: LoadResult): LoadResult => ({
    requestsPerSec: (a.requestsPerSec + b.requestsPerSec) / 2,
    p50Ms: (a.p50Ms + b.p50Ms) / 2,
    p99Ms: (a.p99Ms + b.p99Ms) / 2,
    non2xx: a.non2xx + b.non2xx,
    errors: a.errors + b.errors,
  });
  return { unprotected: mean(u1, u2), protectedValid: mean(p1, p2) };
}
