/**
 * Macro benchmark: two endpoints under the same load, side by side. This machine's speed
 * drifts by tens of percent within a minute, so the two sides run in short alternating
 * rounds and each round gives its own ratio; the median ratio is the figure, and the
 * spread says how far to trust it.
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

export interface Side {
  readonly url: string;
  readonly cookie?: string;
}

export interface Comparison {
  readonly rounds: number;
  readonly baseline: LoadResult;
  readonly measured: LoadResult;
  /** measured / baseline requests per second, one per round, sorted. */
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

/** Throughput of `measured` against `baseline`, in alternating rounds of 2 s per side. */
export async function compare(baseline: Side, measured: Side, durationSec: number): Promise<Comparison> {
  await load(baseline.url, baseline.cookie, 2);
  await load(measured.url, measured.cookie, 2);

  const segmentSec = 2;
  const rounds = Math.max(3, Math.round(durationSec / (2 * segmentSec)));
  const baselines: LoadResult[] = [];
  const measures: LoadResult[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    // Alternate which side goes first, so a drift within a round favours neither.
    const first = round % 2 === 0;
    const b = first ? await load(baseline.url, baseline.cookie, segmentSec) : undefined;
    const m = await load(measured.url, measured.cookie, segmentSec);
    const b2 = b ?? (await load(baseline.url, baseline.cookie, segmentSec));
    baselines.push(b2);
    measures.push(m);
    ratios.push(m.requestsPerSec / b2.requestsPerSec);
  }
  return { rounds, baseline: medianResult(baselines), measured: medianResult(measures), ratios: ratios.sort((a, b) => a - b) };
}
