/**
 * The processes of a soak run: the dev IdP and several app servers (scripts/serve.mjs, as
 * `npm start` runs them) of one build on one database, on loopback. Every child runs in its
 * own process group under `timeout`, so a child outlives the soak by at most the hard
 * deadline even if the soak itself is killed; `stopAll` (also run on exit) kills the groups.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createPostgresDatabase } from '../../lib/db/test-db';
import { type AppCounts, addCounts, NO_COUNTS, scrapeCounts } from './app-metrics';
import {
  ACCESS_TOKEN_TTL,
  APP_URL,
  CLIENT_ID,
  CLIENT_SECRET,
  FIRST_APP_PORT,
  IDP_PORT,
  IDP_URL,
  LOG_DIR,
  NOTES_API_PORT,
  NOTES_API_URL,
  REFRESH_GRACE,
  REFRESH_TIMEOUT_MS,
  SESSION_SECRET,
  SQLITE_FILE,
  type SoakSettings,
} from './settings';

const nextBin = createRequire(import.meta.url).resolve('next/dist/bin/next');
const running = new Set<ChildProcess>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts `command` in its own process group, bounded by `lifetimeSeconds`, logging to LOG_DIR/<name>.log. */
function spawnBounded(name: string, args: readonly string[], env: NodeJS.ProcessEnv, lifetimeSeconds: number): ChildProcess {
  mkdirSync(LOG_DIR, { recursive: true });
  const log = openSync(join(LOG_DIR, `${name}.log`), 'a');
  const child = spawn('timeout', ['--signal=KILL', `${Math.ceil(lifetimeSeconds)}s`, process.execPath, ...args], {
    env,
    stdio: ['ignore', log, log],
    detached: true,
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** Empties LOG_DIR: each run's logs start fresh (a restarted instance appends to its own). */
export function resetLogs(): void {
  rmSync(LOG_DIR, { recursive: true, force: true });
}

/** Kills every child still running, at once. Safe to call from an 'exit' handler. */
export function killAll(): void {
  for (const child of running) killGroup(child, 'SIGKILL');
}

async function waitForUrl(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`soak: the server for ${url} exited (${child.exitCode ?? child.signalCode})`);
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(2000) })).status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`soak: ${url} did not answer within ${timeoutMs / 1000} s`);
}

/** Runs `next build` when there is no production build yet. */
export function ensureBuild(): void {
  if (existsSync('.next/BUILD_ID')) return;
  console.log('soak: no production build (.next/BUILD_ID missing): running next build first');
  const build = spawnSync(process.execPath, [nextBin, 'build'], { stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' }, timeout: 15 * 60_000 });
  if (build.status !== 0) throw new Error('soak: next build failed');
}

export interface SoakDatabase {
  readonly url: string;
  readonly kind: 'sqlite' | 'postgresql';
  drop(): Promise<void>;
}

/** A fresh, migrated database: data/soak.db, or a new database on the PostgreSQL server. */
export async function prepareDatabase(settings: SoakSettings): Promise<SoakDatabase> {
  let database: SoakDatabase;
  if (settings.postgresServer) {
    const created = await createPostgresDatabase(settings.postgresServer, 'renewal_soak');
    database = { url: created.url, kind: 'postgresql', drop: created.drop };
  } else {
    mkdirSync('data', { recursive: true });
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${SQLITE_FILE}${suffix}`, { force: true });
    database = { url: `file:./${SQLITE_FILE}`, kind: 'sqlite', drop: async () => {} };
  }
  const migration = spawnSync(process.execPath, ['--conditions=react-server', '--import', 'tsx', 'scripts/migrate.ts'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DATABASE_URL: database.url },
    timeout: 120_000,
  });
  if (migration.status !== 0) {
    await database.drop();
    throw new Error('soak: migrations failed');
  }
  return database;
}

/** A server of the run other than the app instances: stopped at teardown. */
export interface ServiceProcess {
  stop(): Promise<void>;
}

export async function startIdp(lifetimeSeconds: number, quirks: string): Promise<ServiceProcess> {
  const child = spawnBounded(
    'idp',
    ['--import', 'tsx', 'idp/server.ts'],
    {
      ...process.env,
      APP_URL,
      DEV_IDP_PORT: String(IDP_PORT),
      DEV_IDP_ACCESS_TOKEN_TTL: String(ACCESS_TOKEN_TTL),
      DEV_IDP_TEST_CONTROLS: '1',
      DEV_IDP_QUIRKS: quirks,
      OIDC_CLIENT_ID: CLIENT_ID,
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
    },
    lifetimeSeconds,
  );
  await waitForUrl(`${IDP_URL}/.well-known/openid-configuration`, child, 30_000);
  return { stop: () => stopChild(child) };
}

/** The notes API, trusting the run's IdP: the notes page's server action adds notes through it. */
export async function startNotesApi(lifetimeSeconds: number): Promise<ServiceProcess> {
  const child = spawnBounded('notes-api', ['--import', 'tsx', 'resource/server.ts'], { ...process.env, RESOURCE_PORT: String(NOTES_API_PORT), RESOURCE_ISSUER: IDP_URL }, lifetimeSeconds);
  await waitForUrl(`${NOTES_API_URL}/health`, child, 30_000);
  return { stop: () => stopChild(child) };
}

async function stopChild(child: ChildProcess): Promise<void> {
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 2000);
  await exited(child);
  clearTimeout(timer);
}

/** One app server behind the simulated load balancer; it can crash and come back. */
export class AppInstance {
  private child: ChildProcess | undefined;
  /** What the app's metrics counted in incarnations already killed. */
  private retired: AppCounts = NO_COUNTS;
  /** SIGKILLs so far. */
  kills = 0;

  constructor(
    readonly port: number,
    private readonly databaseUrl: string,
    private readonly settings: SoakSettings,
    private readonly lifetimeSeconds: number,
  ) {}

  /** Where the load balancer sends requests (the browser still sees APP_URL). */
  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  private starts = 0;

  async start(): Promise<void> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'production',
      APP_URL,
      HOST: '127.0.0.1',
      PORT: String(this.port),
      OIDC_ISSUER: IDP_URL,
      OIDC_CLIENT_ID: CLIENT_ID,
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
      OIDC_SCOPE: 'openid profile email offline_access notes',
      NOTES_API_URL,
      SESSION_SECRET,
      DATABASE_URL: this.databaseUrl,
      REFRESH_TIMEOUT_MS: String(REFRESH_TIMEOUT_MS),
      REFRESH_GRACE: String(REFRESH_GRACE),
      NEXT_TELEMETRY_DISABLED: '1',
      // The audit trail names the instance (and its restart) in every event: explain.ts reads it.
      INSTANCE_NAME: `:${this.port}#${++this.starts}`,
      // The app's own metrics, compared with the soak's counts at the end (app-metrics.ts).
      METRICS_PORT: String(this.metricsPort),
    };
    // The server `npm start` runs, as e2e/instances.ts starts it; HOST and PORT above say where.
    this.child = spawnBounded(`app-${this.port}`, ['scripts/serve.mjs'], env, this.lifetimeSeconds);
    await waitForUrl(`${this.origin}/status`, this.child, 60_000);
  }

  get metricsPort(): number {
    return this.port + METRICS_PORT_OFFSET;
  }

  /** What the app's metrics counted over every incarnation of this instance. */
  async counts(): Promise<AppCounts> {
    return this.alive ? addCounts(this.retired, await scrapeCounts(this.metricsPort)) : this.retired;
  }

  /** SIGKILL, as a crash or an OOM kill would; its metrics are read first, as a scrape just before would have. */
  async kill(): Promise<void> {
    if (!this.child) return;
    this.retired = await this.counts().catch(() => this.retired);
    this.kills += 1;
    killGroup(this.child, 'SIGKILL');
    await exited(this.child);
  }

  async stop(): Promise<void> {
    if (this.child) await stopChild(this.child);
  }
}

/** Each instance's metrics endpoint is on its port plus this. */
const METRICS_PORT_OFFSET = 50;

export function appInstances(settings: SoakSettings, databaseUrl: string, lifetimeSeconds: number): AppInstance[] {
  return Array.from({ length: settings.instances }, (_, i) => new AppInstance(FIRST_APP_PORT + i, databaseUrl, settings, lifetimeSeconds));
}
