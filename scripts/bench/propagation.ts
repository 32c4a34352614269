/**
 * How long a session ended on one instance is still served by another: sign in, let
 * instance B cache the session's verdict, sign out on instance A, then ask B every 10 ms
 * until it refuses. Both instances serve the same build and database (lib/auth/registry/
 * session-ends.ts carries the end from one to the other).
 */
export interface Propagation {
  readonly signOuts: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

const POLL_MS = 10;
const GIVE_UP_MS = 30_000;

async function statusOf(url: string, cookie: string): Promise<number> {
  const response = await fetch(url, { headers: { cookie } });
  await response.arrayBuffer();
  return response.status;
}

/** Milliseconds from A's sign-out answer until B refuses the cookie. */
async function oneSignOut(a: string, b: string, cookie: string): Promise<number> {
  if ((await statusOf(`${b}/api/me`, cookie)) !== 200) throw new Error('propagation: B did not serve a fresh session');
  const signOut = await fetch(`${a}/auth/logout`, { method: 'POST', redirect: 'manual', headers: { cookie, origin: a } });
  await signOut.arrayBuffer();
  if (signOut.status !== 303) throw new Error(`propagation: sign-out on A answered ${signOut.status}`);
  const endedAt = performance.now();
  for (;;) {
    const status = await statusOf(`${b}/api/me`, cookie);
    const elapsed = performance.now() - endedAt;
    if (status === 401) return elapsed;
    if (status !== 200) throw new Error(`propagation: B answered ${status}`);
    if (elapsed > GIVE_UP_MS) throw new Error(`propagation: B still served the session ${GIVE_UP_MS} ms after its sign-out`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

/** `signIn` gives a fresh session cookie on A; each is signed out once. */
export async function propagation(a: string, b: string, signIn: () => Promise<string>, signOuts: number): Promise<Propagation> {
  const elapsed: number[] = [];
  for (let i = 0; i < signOuts; i++) elapsed.push(await oneSignOut(a, b, await signIn()));
  elapsed.sort((x, y) => x - y);
  return { signOuts, p50Ms: percentile(elapsed, 0.5), p99Ms: percentile(elapsed, 0.99), maxMs: elapsed.at(-1)! };
}
