/**
 * The `_rsc` search parameter Next.js's client router puts on RSC requests. Next answers
 * a request whose `_rsc` does not match its headers with a 307 to the right one (cache
 * poisoning defence), so a simulated router must send it as the real one does. Computed
 * with Next's own function, so it follows Next upgrades.
 */
import { createRequire } from 'node:module';

type Compute = (prefetch?: string, segmentPrefetch?: string, stateTree?: string, nextUrl?: string) => Promise<string>;

const { computeCacheBustingSearchParam } = createRequire(import.meta.url)('next/dist/shared/lib/router/utils/cache-busting-search-param.js') as {
  computeCacheBustingSearchParam: Compute;
};

/** `?_rsc=…` for an RSC request, and for a prefetch (`Next-Router-Prefetch: 1`). */
export async function rscSearchParams(): Promise<{ rsc: string; prefetch: string }> {
  return {
    rsc: `?_rsc=${await computeCacheBustingSearchParam()}`,
    prefetch: `?_rsc=${await computeCacheBustingSearchParam('1')}`,
  };
}
