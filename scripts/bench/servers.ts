/** Starts the dev IdP and a production build of the app on loopback for the benchmark. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';

export interface Servers {
  readonly appUrl: string;
  /** The same build and database with the proxy switched off (RENEWAL_PROXY=off): the framework's floor for pages. */
  readonly floorUrl: string;
  readonly idpUrl: string;
  stop(): Promise<void>;
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

/** `build: false` serves the build a previous call made. */
export async function startServers(options: { appPort: number; idpPort: number; sessionSecret: string; databaseUrl: string; build?: boolean }): Promise<Servers> {
  const appUrl = `http://127.0.0.1:${options.appPort}`;
  const idpUrl = `http://127.0.0.1:${options.idpPort}`;
  const common = { ...process.env, APP_URL: appUrl, OIDC_CLIENT_ID: 'renewal-bench', OIDC_CLIENT_SECRET: 'bench-client-secret' };

  if (options.build !== false) {
    const build = spawnSync('npx', ['next', 'build'], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
    if (build.status !== 0) throw new Error('next build failed');
  }

  const idp = spawn(process.execPath, ['--import', 'tsx', 'idp/server.ts'], {
    stdio: 'ignore',
    env: { ...common, DEV_IDP_PORT: String(options.idpPort), DEV_IDP_ACCESS_TOKEN_TTL: '3600', DEV_IDP_TEST_CONTROLS: '1' },
  });
  const appEnv = { ...common, HOST: '127.0.0.1', OIDC_ISSUER: idpUrl, SESSION_SECRET: options.sessionSecret, DATABASE_URL: options.databaseUrl };
  const app = spawn(process.execPath, ['scripts/start.mjs'], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...appEnv, PORT: String(options.appPort) } });
  const floorUrl = `http://127.0.0.1:${options.appPort + 1}`;
  const floor = spawn(process.execPath, ['scripts/start.mjs'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...appEnv, PORT: String(options.appPort + 1), RENEWAL_PROXY: 'off' },
  });
  const stop = async () => {
    await Promise.all([stopChild(app), stopChild(floor), stopChild(idp)]);
  };
  try {
    await waitFor(`${idpUrl}/.well-known/openid-configuration`, idp);
    await waitFor(`${appUrl}/status`, app);
    await waitFor(`${floorUrl}/status`, floor);
  } catch (error) {
    await stop();
    throw error;
  }
  return { appUrl, floorUrl, idpUrl, stop };
}
