/**
 * Macro benchmark: the same handler behind the proxy with a valid session, and without
 * it. This machine's speed drifts by tens of percent within a minute, so the two sides
 * run in short alternating rounds and each round gives its own ratio; the median ratio
 * is the figure, and the spread says how far to trust it.
 */
import autocannon from 'autocannon';

export interface LoadResult {
  readonly requestsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
}

async function load(url: string, cookie: string | undefined, durationSec: number): Promise<LoadResult> {
  const result = await autocannon({ url, connections: 16, duration: durationSec, headers: cookie ? { cookie } : {} });
  return { requestsPerSec: result.requests.average, p50Ms: result.latency.p50, p99Ms: result.latency.p99, non2xx: result.non2xx + result.errors };
}

export interface MacroResult {
  readonly rounds: number;
  readonly unprotected: LoadResult;
  readonly protectedValid: LoadResult;
  /** protected / unprotected requests per second, one per round, sorted. */
  readonly ratios: readonly number[];
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function medianResult(results: readonly LoadResult[]): LoadResult {
  return {
    requestsPerSec: median(results.map((r) => r.requestsPerSec)),
    p50Ms: median(results.map((r) => r.p50Ms)),
    p99Ms: median(results.map((r) => r.p99Ms)),
    non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
  };
}

export async function macro(appUrl: string, cookie: string, durationSec: number): Promise<MacroResult> {
  const publicUrl = `${appUrl}/status`;
  const protectedUrl = `${appUrl}/api/status`;
  await load(publicUrl, undefined, 2);
  await load(protectedUrl, cookie, 2);

  const segmentSec = 2;
  const rounds = Math.max(3, Math.round(durationSec / (2 * segmentSec)));
  const unprotected: LoadResult[] = [];
  const protectedValid: LoadResult[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    // Alternate which side goes first, so a drift within a round favours neither.
    const first = round % 2 === 0;
    const u = first ? await load(publicUrl, undefined, segmentSec) : undefined;
    const p = await load(protectedUrl, cookie, segmentSec);
    const u2 = u ?? (await load(publicUrl, undefined, segmentSec));
    unprotected.push(u2);
    protectedValid.push(p);
    ratios.push(p.requestsPerSec / u2.requestsPerSec);
  }
  return { rounds, unprotected: medianResult(unprotected), protectedValid: medianResult(protectedValid), ratios: ratios.sort((a, b) => a - b) };
}
