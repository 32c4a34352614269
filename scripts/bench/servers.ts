/** Starts the dev IdP and instances of the app's production build on loopback for the benchmark. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface ServerOptions {
  /** The first instance's port; further instances take the ports after it. */
  readonly appPort: number;
  readonly idpPort: number;
  readonly sessionSecret: string;
  readonly databaseUrl: string;
  /** `false` serves the build a previous call made. */
  readonly build?: boolean;
  /** Instances validating as the app does, on one database (default 1). */
  readonly instances?: number;
  /** Adds, on the port after the instances, the same build with the proxy a no-op (default true). */
  readonly floor?: boolean;
}

export interface Servers {
  /** The first instance. */
  readonly appUrl: string;
  readonly appUrls: readonly string[];
  /** Each instance's scripts/start.mjs, which supervises its server (scripts/serve.mjs). */
  readonly appPids: readonly number[];
  readonly idpUrl: string;
  stop(): Promise<void>;
}

export interface ServersWithFloor extends Servers {
  /** The same build and database with the proxy switched off (RENEWAL_PROXY=off): the framework's floor for pages. */
  readonly floorUrl: string;
}

async function waitFor(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: the server exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}

/** BENCH_REUSE_BUILD=1 serves an existing build (.next/BUILD_ID) instead of building again. */
function buildIfNeeded(): void {
  if (process.env.BENCH_REUSE_BUILD === '1' && existsSync('.next/BUILD_ID')) return;
  const build = spawnSync('npx', ['next', 'build'], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
  if (build.status !== 0) throw new Error('next build failed');
}

export function startServers(options: ServerOptions & { floor: false }): Promise<Servers>;
export function startServers(options: ServerOptions): Promise<ServersWithFloor>;
export async function startServers(options: ServerOptions): Promise<Servers | ServersWithFloor> {
  const count = options.instances ?? 1;
  const urlOf = (port: number) => `http://127.0.0.1:${port}`;
  const appUrls = Array.from({ length: count }, (_, i) => urlOf(options.appPort + i));
  const idpUrl = urlOf(options.idpPort);
  // One APP_URL for all instances, as behind a load balancer.
  const common = { ...process.env, APP_URL: appUrls[0]!, OIDC_CLIENT_ID: 'renewal-bench', OIDC_CLIENT_SECRET: 'bench-client-secret' };

  if (options.build !== false) buildIfNeeded();

  const idp = spawn(process.execPath, ['--import', 'tsx', 'idp/server.ts'], {
    stdio: 'ignore',
    env: { ...common, DEV_IDP_PORT: String(options.idpPort), DEV_IDP_ACCESS_TOKEN_TTL: '3600', DEV_IDP_TEST_CONTROLS: '1' },
  });
  const appEnv = { ...common, HOST: '127.0.0.1', OIDC_ISSUER: idpUrl, SESSION_SECRET: options.sessionSecret, DATABASE_URL: options.databaseUrl };
  const startApp = (port: number, extra: Record<string, string> = {}) =>
    spawn(process.execPath, ['scripts/start.mjs'], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...appEnv, ...extra, PORT: String(port) } });
  const apps = appUrls.map((_, i) => startApp(options.appPort + i));
  const floorPort = options.appPort + count;
  const floor = options.floor === false ? undefined : startApp(floorPort, { RENEWAL_PROXY: 'off' });
  const children = [...apps, ...(floor ? [floor] : []), idp];
  // Stopped from outside (Ctrl-C, `timeout`), the benchmark takes its servers with it.
  const interrupted = (signal: NodeJS.Signals) => void stop().finally(() => process.kill(process.pid, signal));
  const stop = async () => {
    process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
    await Promise.all(children.map(stopChild));
  };
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  try {
    await waitFor(`${idpUrl}/.well-known/openid-configuration`, idp);
    for (const [i, app] of apps.entries()) await waitFor(`${appUrls[i]}/status`, app);
    if (floor) await waitFor(`${urlOf(floorPort)}/status`, floor);
  } catch (error) {
    await stop();
    throw error;
  }
  const servers: Servers = { appUrl: appUrls[0]!, appUrls, appPids: apps.map((app) => app.pid!), idpUrl, stop };
  return floor ? { ...servers, floorUrl: urlOf(floorPort) } : servers;
}
