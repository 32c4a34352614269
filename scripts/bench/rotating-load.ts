/**
 * Valid traffic from many sessions over several instances, as a load balancer spreads it:
 * request k goes to instance k mod I and carries session ⌊k / I⌋ mod N, so the first I × N
 * requests show every session to every instance exactly once. A fixed number of loops
 * each send one request at a time over keep-alive connections (autocannon cannot rotate
 * a cookie per request across several hosts). Loopback HTTP only.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface RotatingLoadOptions {
  /** The instances' origins, e.g. http://127.0.0.1:3300. */
  readonly origins: readonly string[];
  readonly path: string;
  /** One Cookie header per session. */
  readonly cookies: readonly string[];
  readonly connections: number;
  /** Stop after this many requests, or at this time (performance.now()), whichever comes first. */
  readonly requests?: number;
  readonly untilMs?: number;
}

export interface Answer {
  /** performance.now() when the answer had been read. */
  readonly endMs: number;
  readonly latencyMs: number;
  /** The HTTP status, or 0 when the request failed without one. */
  readonly status: number;
}

const REQUEST_TIMEOUT_MS = 10_000;

function get(origin: URL, path: string, cookie: string, agent: Agent): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: origin.hostname, port: origin.port, path, agent, headers: { cookie }, timeout: REQUEST_TIMEOUT_MS }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
      response.on('error', () => resolve(0));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', () => resolve(0));
    req.end();
  });
}

/** Every answer, in the order they came. */
export async function rotatingLoad(options: RotatingLoadOptions): Promise<Answer[]> {
  const origins = options.origins.map((o) => new URL(o));
  const agents = origins.map(() => new Agent({ keepAlive: true, maxSockets: options.connections }));
  const total = options.requests ?? Infinity;
  const untilMs = options.untilMs ?? Infinity;
  const answers: Answer[] = [];
  let next = 0;
  const loop = async () => {
    while (next < total && performance.now() < untilMs) {
      const k = next++;
      const instance = k % origins.length;
      const cookie = options.cookies[Math.floor(k / origins.length) % options.cookies.length]!;
      const started = performance.now();
      const status = await get(origins[instance]!, options.path, cookie, agents[instance]!);
      const endMs = performance.now();
      answers.push({ endMs, latencyMs: endMs - started, status });
    }
  };
  try {
    await Promise.all(Array.from({ length: options.connections }, loop));
  } finally {
    for (const agent of agents) agent.destroy();
  }
  return answers;
}
