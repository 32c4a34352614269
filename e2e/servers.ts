import { type ChildProcess, spawn } from 'node:child_process';

/**
 * A server a spec starts and stops itself: another `next start` or `next dev`, or a dev
 * IdP or notes API of its own (e2e/instances.ts, e2e/dev-mode.spec.ts).
 */
export interface SpawnedServer {
  /** What the server printed so far (stdout and stderr, the last 256 KB). */
  output(): string;
  /** Stops the server and every process it started (SIGTERM, then SIGKILL). */
  stop(): Promise<void>;
  /** Kills the server at once (SIGKILL), as a crash would. */
  kill(): Promise<void>;
  /** Sends `signal` to the server's own process alone, as an orchestrator does; resolves once that process has exited. */
  signal(signal: NodeJS.Signals): Promise<void>;
}

export interface ServerSpec {
  readonly name: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** Answers 2xx once the server is ready. */
  readonly readyUrl: string;
  readonly timeoutMs: number;
}

const STOP_GRACE_MS = 5000;
const OUTPUT_KEPT = 256 * 1024;

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Signals the child's whole process group: `next dev` runs its server in processes of its own. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // The group is already gone.
  }
}

async function stop(child: ChildProcess): Promise<void> {
  signalGroup(child, 'SIGTERM');
  const killer = setTimeout(() => signalGroup(child, 'SIGKILL'), STOP_GRACE_MS);
  await exited(child);
  clearTimeout(killer);
  // Helpers of the server that outlived it (the group outlives its leader).
  signalGroup(child, 'SIGKILL');
}

/** Starts `node …args` in a process group of its own and waits until `readyUrl` answers. */
export async function startServer({ name, args, env, readyUrl, timeoutMs }: ServerSpec): Promise<SpawnedServer> {
  const child = spawn(process.execPath, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_KEPT);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      await stop(child);
      throw new Error(`${name} exited with ${child.exitCode}:\n${output}`);
    }
    const ready = await fetch(readyUrl, { signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())) }).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) {
      return {
        output: () => output,
        stop: () => stop(child),
        async kill() {
          signalGroup(child, 'SIGKILL');
          await exited(child);
        },
        signal(signal) {
          child.kill(signal);
          return exited(child);
        },
      };
    }
    if (Date.now() > deadline) {
      await stop(child);
      throw new Error(`${name} did not answer ${readyUrl} within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
