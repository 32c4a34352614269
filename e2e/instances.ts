import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { appEnv } from './settings';

/**
 * Another `next start` of the same build, sharing the first instance's database and
 * APP_URL, as a second server behind a load balancer would. Started by the specs
 * themselves so they can kill it.
 */
export interface Instance {
  readonly url: string;
  /** Kills the process at once (SIGKILL), as a crash would. */
  kill(): Promise<void>;
}

const nextBin = createRequire(import.meta.url).resolve('next/dist/bin/next');

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts an instance on `port`; `env` overrides the suite's settings (e.g. another SESSION_SECRET). */
export async function startInstance(port: number, env: Record<string, string> = {}): Promise<Instance> {
  const child = spawn(process.execPath, [nextBin, 'start', '--port', String(port), '--hostname', '127.0.0.1', '--keepAliveTimeout', '65000'], {
    env: { ...process.env, ...appEnv(port), ...env, NODE_ENV: 'production' },
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`instance on port ${port} exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/status`)).ok) break;
    } catch {
      if (Date.now() > deadline) {
        // Not left running: the spec that asked for it never gets a handle to kill it.
        child.kill('SIGKILL');
        await exited(child);
        throw new Error(`instance on port ${port} did not start`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  return {
    url: `http://localhost:${port}`,
    async kill() {
      child.kill('SIGKILL');
      await exited(child);
    },
  };
}
