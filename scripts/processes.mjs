// Small helpers shared by scripts/dev.mjs, scripts/start.mjs and scripts/serve.mjs.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Runs a command to completion; exits this process with its status when it fails. */
export function runOrExit(command, args, env = process.env) {
  const result = spawnSync(command, args, { stdio: 'inherit', env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/**
 * Starts long-running children; when one exits, or on SIGINT/SIGTERM, stops them all:
 * SIGTERM, then SIGKILL for any still running after `stopTimeoutMs`. Exits once every
 * child has: a supervisor that left first would leave its children serving unwatched.
 */
export function supervise(children, { stopTimeoutMs = 1500 } = {}) {
  let stopping = false;
  let exitCode = 0;
  const hasExited = (child) => child.exitCode !== null || child.signalCode !== null;
  const running = children.map(({ name, command, args, env }) => {
    const child = spawn(command, args, { stdio: 'inherit', env: env ?? process.env });
    child.on('exit', (code, signal) => {
      if (!stopping) {
        console.error(`${name} stopped (${signal ?? `exit ${code}`}); stopping the others.`);
        stop(code ?? 1);
      }
      if (running.every(hasExited)) process.exit(exitCode);
    });
    return child;
  });
  function stop(code) {
    stopping = true;
    exitCode = code;
    for (const child of running) if (!hasExited(child)) child.kill('SIGTERM');
    setTimeout(() => {
      for (const child of running) if (!hasExited(child)) child.kill('SIGKILL');
    }, stopTimeoutMs).unref();
  }
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      if (!stopping) stop(0);
    });
  }
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

/** SHUTDOWN_TIMEOUT_MS: how long the server may take to stop after SIGTERM or SIGINT (scripts/serve.mjs). */
export function shutdownTimeoutMs() {
  return millisecondsSetting('SHUTDOWN_TIMEOUT_MS', 10_000);
}

/** A duration setting from the environment: `fallback` when unset; exits when it is not a whole number of milliseconds above 0. */
export function millisecondsSetting(name, fallback) {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value) || Number(value) === 0) {
    console.error(`${name} must be a whole number of milliseconds above 0, not "${value}"`);
    process.exit(1);
  }
  return Number(value);
}
