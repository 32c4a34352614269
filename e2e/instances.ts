import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { appEnv } from './settings';

/**
 * Servers a spec starts and stops itself: another `next start` of the same build (sharing
 * the first instance's database and, unless told otherwise, its APP_URL, as a second
 * server behind a load balancer would), or another dev IdP.
 */
export interface Instance {
  readonly url: string;
  /** What the process printed so far (stdout and stderr). */
  output(): string;
  /** Kills the process at once (SIGKILL), as a crash would. */
  kill(): Promise<void>;
}

const nextBin = createRequire(import.meta.url).resolve('next/dist/bin/next');
const MAX_OUTPUT = 256 * 1024;

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

async function startProcess(name: string, args: string[], env: Record<string, string>, readyUrl: string, url: string): Promise<Instance> {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    if (output.length < MAX_OUTPUT) output += chunk.toString('utf8');
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(readyUrl)).ok) break;
    } catch {
      if (Date.now() > deadline) {
        // Not left running: the spec that asked for it never gets a handle to kill it.
        child.kill('SIGKILL');
        await exited(child);
        throw new Error(`${name} did not start:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  return {
    url,
    output: () => output,
    async kill() {
      child.kill('SIGKILL');
      await exited(child);
    },
  };
}

/** Starts an app instance on `port`; `env` overrides the suite's settings (e.g. another SESSION_SECRET). */
export function startInstance(port: number, env: Record<string, string> = {}): Promise<Instance> {
  const args = [nextBin, 'start', '--port', String(port), '--hostname', '127.0.0.1', '--keepAliveTimeout', '65000'];
  return startProcess(`instance on port ${port}`, args, { ...appEnv(port), ...env, NODE_ENV: 'production' }, `http://127.0.0.1:${port}/status`, `http://localhost:${port}`);
}

/** Starts a dev IdP on `port` (test controls on); `env` sets its APP_URL, client and quirks. */
export function startIdp(port: number, env: Record<string, string>): Promise<Instance> {
  const url = `http://127.0.0.1:${port}`;
  return startProcess(`dev IdP on port ${port}`, ['--import', 'tsx', 'idp/server.ts'], { DEV_IDP_TEST_CONTROLS: '1', ...env, DEV_IDP_PORT: String(port) }, `${url}/.well-known/openid-configuration`, url);
}
