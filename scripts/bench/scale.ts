/**
 * Scale: what steady valid traffic from many sessions costs the database and each
 * instance's memory. Three instances of the production build on one fresh PostgreSQL
 * database, N distinct valid sessions minted straight into it (no sign-in), every session
 * shown once to every instance (warm-up), then a steady window of GET /api/me spread
 * round-robin over instances and sessions. Only the window is measured.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { sessionCookieName } from '../../lib/auth/cookie/sealed-cookie';
import { cookieSettings } from '../../lib/auth/refresh/runtime';
import { createDb } from '../../lib/db/client';
import { migrate } from '../../lib/db/migrate';
import { createPostgresDatabase } from '../../lib/db/test-db';
import { createSessions } from './micro';
import { type TreeMemory, treeMemory } from './process-memory';
import { type Answer, rotatingLoad } from './rotating-load';
import { startServers } from './servers';

export interface ScaleOptions {
  /** A PostgreSQL server (TEST_DATABASE_URL); the benchmark's database is made on it and dropped. */
  readonly serverUrl: string;
  readonly sessionSecret: string;
  readonly sessions: number;
  readonly windowSec: number;
  readonly connections: number;
  /** `false` serves the build a previous run made. */
  readonly build: boolean;
}

export interface InstanceMemory {
  readonly url: string;
  /** After each instance served one session PRIMER_REQUESTS times. */
  readonly primed: TreeMemory;
  readonly atWindowEnd: TreeMemory;
}

export interface ScaleResult {
  readonly sessions: number;
  readonly warmUp: { readonly requests: number; readonly seconds: number; readonly transactions: number };
  readonly requests: number;
  readonly requestsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Answers other than 2xx, and requests that got no answer. */
  readonly failures: number;
  readonly transactionsPerSec: number;
  /** transactionsPerSec × 3600 / sessions: the goal is at most 1. */
  readonly transactionsPerSessionHour: number;
  readonly memory: readonly InstanceMemory[];
}

/** Three instances on ports 3300–3302, the dev IdP on 4300: loopback only. */
const CLUSTER = { instances: 3, appPort: 3300, idpPort: 4300, floor: false } as const;
/**
 * Traffic runs this long before the window opens: longer than REGISTRY_CHECK_INTERVAL (5 s),
 * so that verdicts cached in the warm-up have come due once, and the window's edges fall in
 * steady traffic.
 */
const SETTLE_MS = 6000;
/** PostgreSQL holds an idle backend's counts for up to 10 s (PGSTAT_IDLE_INTERVAL) before publishing them. */
const STATS_PUBLISHED_MS = 11_000;
/** Requests per instance with one session before memory is first read: the routes are loaded, the caches nearly empty. */
const PRIMER_REQUESTS = 100;
const WARM_UP_LIMIT_MS = 180_000;

/**
 * Transactions committed or rolled back in `datname` so far. The sampler is connected to
 * another database (the server's own), so its queries do not count. PostgreSQL publishes a
 * busy backend's counts about once a second: in steady traffic the window's two edges lag alike.
 */
async function transactions(stats: pg.Client, datname: string): Promise<number> {
  const result = await stats.query<{ n: string }>('SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = $1', [datname]);
  const n = result.rows[0]?.n;
  if (n === undefined) throw new Error(`scale: pg_stat_database has no row for ${datname}`);
  return Number(n);
}

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
const failed = (answers: readonly Answer[]) => answers.filter((a) => a.status < 200 || a.status >= 300).length;

/** Minted sessions as Cookie headers, sealed as the instances seal (same secret, same settings). */
async function mintCookies(databaseUrl: string, count: number): Promise<string[]> {
  const database = createDb(databaseUrl);
  try {
    const settings = cookieSettings();
    const name = sessionCookieName(settings.secure);
    const minted = await createSessions(database, count, Math.floor(Date.now() / 1000), settings);
    return minted.map((m) => `${name}=${m.sealed}`);
  } finally {
    await database.$disconnect();
  }
}

export async function scale(options: ScaleOptions): Promise<ScaleResult> {
  const database = await createPostgresDatabase(options.serverUrl, 'renewal_bench_scale');
  const datname = new URL(database.url).pathname.slice(1);
  const stats = new pg.Client({ connectionString: options.serverUrl, application_name: 'renewal-bench-scale' });
  try {
    await stats.connect();
    await migrate(database.url);
    const cookies = await mintCookies(database.url, options.sessions);
    const servers = await startServers({ ...CLUSTER, sessionSecret: options.sessionSecret, databaseUrl: database.url, build: options.build });
    try {
      const traffic = { origins: servers.appUrls, path: '/api/me', cookies, connections: options.connections };
      await rotatingLoad({ ...traffic, cookies: cookies.slice(0, 1), requests: CLUSTER.instances * PRIMER_REQUESTS });
      const primed = servers.appPids.map(treeMemory);

      const warmStartedMs = performance.now();
      const warmBefore = await transactions(stats, datname);
      const warm = await rotatingLoad({ ...traffic, requests: CLUSTER.instances * options.sessions, untilMs: warmStartedMs + WARM_UP_LIMIT_MS });
      const warmSeconds = (performance.now() - warmStartedMs) / 1000;
      await sleep(STATS_PUBLISHED_MS);
      const warmUp = { requests: warm.length, seconds: warmSeconds, transactions: (await transactions(stats, datname)) - warmBefore };
      if (warm.length < CLUSTER.instances * options.sessions) throw new Error(`scale: the warm-up did not finish within ${WARM_UP_LIMIT_MS / 1000} s (${warm.length} of ${CLUSTER.instances * options.sessions} requests)`);
      if (failed(warm) > 0) throw new Error(`scale: ${failed(warm)} of the warm-up's requests failed (a minted session was refused?)`);

      const steady = rotatingLoad({ ...traffic, untilMs: performance.now() + SETTLE_MS + options.windowSec * 1000 });
      await sleep(SETTLE_MS);
      const before = await transactions(stats, datname);
      const openedMs = performance.now();
      await sleep(options.windowSec * 1000);
      const after = await transactions(stats, datname);
      const closedMs = performance.now();
      const atWindowEnd = servers.appPids.map(treeMemory);
      const answers = (await steady).filter((a) => a.endMs >= openedMs && a.endMs <= closedMs);

      const seconds = (closedMs - openedMs) / 1000;
      const latencies = answers.map((a) => a.latencyMs).sort((a, b) => a - b);
      const transactionsPerSec = (after - before) / seconds;
      return {
        sessions: options.sessions,
        warmUp,
        requests: answers.length,
        requestsPerSec: answers.length / seconds,
        p50Ms: percentile(latencies, 0.5),
        p99Ms: percentile(latencies, 0.99),
        failures: failed(answers),
        transactionsPerSec,
        transactionsPerSessionHour: (transactionsPerSec * 3600) / options.sessions,
        memory: servers.appUrls.map((url, i) => ({ url, primed: primed[i]!, atWindowEnd: atWindowEnd[i]! })),
      };
    } finally {
      await servers.stop();
    }
  } finally {
    await stats.end().catch(() => undefined);
    await database.drop();
  }
}
