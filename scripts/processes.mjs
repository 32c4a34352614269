// Small helpers shared by scripts/dev.mjs and scripts/start.mjs.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Runs a command to completion; exits this process with its status when it fails. */
export function runOrExit(command, args, env = process.env) {
  const result = spawnSync(command, args, { stdio: 'inherit', env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/** Starts long-running children; when one exits, or on Ctrl-C, stops them all. */
export function supervise(children) {
  const running = children.map(({ name, command, args, env }) => {
    const child = spawn(command, args, { stdio: 'inherit', env: env ?? process.env });
    child.on('exit', (code, signal) => {
      if (stopping) return;
      console.error(`${name} stopped (${signal ?? `exit ${code}`}); stopping the others.`);
      stop(code ?? 1);
    });
    return child;
  });
  let stopping = false;
  function stop(code) {
    stopping = true;
    for (const child of running) if (child.exitCode === null) child.kill('SIGTERM');
    setTimeout(() => process.exit(code), 1500).unref();
  }
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));
}

/**
 * The Next.js CLI run directly by node: through npx, a stop signal would reach npx and
 * leave the server itself running.
 */
export function nextCli(...args) {
  return { command: process.execPath, args: [fileURLToPath(import.meta.resolve('next/dist/bin/next')), ...args] };
}

/** The port and host to serve on: PORT/HOST if set, else APP_URL's port on loopback. */
export function listenAddress(appUrl) {
  const url = new URL(appUrl);
  return { port: process.env.PORT ?? (url.port || (url.protocol === 'https:' ? '443' : '80')), host: process.env.HOST ?? '127.0.0.1' };
}
