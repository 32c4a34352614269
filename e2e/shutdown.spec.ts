import { existsSync } from 'node:fs';
import { Agent, type ClientRequest, request } from 'node:http';
import type { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { expect, test } from '@playwright/test';
import { type SpawnedServer, startServer } from './servers';
import { appEnv } from './settings';

// `npm start` on a port of its own, stopped as an orchestrator stops it in a rolling deploy:
// SIGTERM to its main process. It used to keep answering, for as long as the keep-alive
// timeout (65 s), the requests that came on connections clients already held — a cookie
// sealed with a secret the new instances had dropped was still admitted there.
const PORT = 3111;
const SHUTDOWN_TIMEOUT_MS = 3000;
/** Time for the processes to exit once the bound has passed; not a measure of speed. */
const EXIT_ALLOWANCE_MS = 2000;

let app: SpawnedServer;
test.beforeAll(async () => {
  app = await startServer({
    name: `npm start on port ${PORT}`,
    args: ['scripts/start.mjs'],
    env: { ...process.env, ...appEnv(PORT), SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) },
    readyUrl: `http://127.0.0.1:${PORT}/status`,
    timeoutMs: 60_000,
  });
});
/** The one started through npm (the last test); killed with its whole process group, orphans included. */
let viaNpm: SpawnedServer | undefined;
test.afterAll(async () => {
  await app?.kill();
  await viaNpm?.kill();
});

interface Answer {
  status: number;
  connection: string | undefined;
}

function send(agent: Agent, method: string, path: string, headers: Record<string, string> = {}, port = PORT): ClientRequest {
  return request({ agent, host: '127.0.0.1', port, method, path, headers });
}

/** The answer to `req`, read to the end; rejects when the connection fails first. */
function answerTo(req: ClientRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    req.once('error', reject);
    req.once('response', (response) => {
      response.resume();
      response.once('error', reject);
      response.once('end', () => resolve({ status: response.statusCode!, connection: response.headers.connection }));
    });
  });
}

/** Sends the headers of a request with a body and waits until the server has begun to handle it (100 Continue). */
async function startedRequest(agent: Agent, path: string, contentLength: number): Promise<ClientRequest> {
  const req = send(agent, 'POST', path, { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(contentLength), Expect: '100-continue' });
  const continued = new Promise<void>((resolve, reject) => {
    req.once('continue', resolve);
    req.once('error', reject);
  });
  req.flushHeaders();
  await continued;
  return req;
}

function closed(socket: Socket): Promise<void> {
  return socket.destroyed ? Promise.resolve() : new Promise((resolve) => socket.once('close', () => resolve()));
}

test('after SIGTERM, npm start finishes the request in flight with Connection: close, closes the keep-alive connections it held and exits within SHUTDOWN_TIMEOUT_MS', async () => {
  const held = new Agent({ keepAlive: true, maxSockets: 1 });
  const idle = new Agent({ keepAlive: true, maxSockets: 1 });
  const stuck = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const first = send(held, 'GET', '/status');
    expect(await answerTo(first.end())).toEqual({ status: 200, connection: 'keep-alive' });
    const idleRequest = send(idle, 'GET', '/status');
    expect((await answerTo(idleRequest.end())).status).toBe(200);
    const idleSocket = idleRequest.socket!;

    // The back-channel logout route reads the whole body before it answers: a request whose
    // body is not complete is in flight. This one gets its body after the signal...
    const body = 'logout_token=not-a-token';
    const inFlight = await startedRequest(held, '/auth/backchannel-logout', body.length);
    expect(inFlight.reusedSocket).toBe(true);
    const heldSocket = inFlight.socket!;
    const answered = answerTo(inFlight);
    // ...and this one never does: only the bound ends it.
    const unfinished = answerTo(await startedRequest(stuck, '/auth/backchannel-logout', 1000)).then(
      () => 'answered',
      () => 'cut off',
    );

    const exited = app.signal('SIGTERM');
    const exitedInTime = Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), SHUTDOWN_TIMEOUT_MS + EXIT_ALLOWANCE_MS))]);

    // The idle connection is closed at once, while a request is still in flight.
    await closed(idleSocket);

    inFlight.end(body);
    expect(await answered).toEqual({ status: 400, connection: 'close' });

    expect(await exitedInTime).toBe(true);
    expect(await unfinished).toBe('cut off');
    await closed(heldSocket);

    // After the bound, a request on the agent that held the connection reaches no one.
    await expect(answerTo(send(held, 'GET', '/status').end())).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  } finally {
    for (const agent of [held, idle, stuck]) agent.destroy();
  }
});

/** npm's own CLI: the one running this suite (npm test), else the one installed beside node. */
function npmCli(): string {
  const beside = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
  const cli = process.env.npm_execpath?.endsWith('npm-cli.js') ? process.env.npm_execpath : beside;
  if (!existsSync(cli)) throw new Error(`npm's CLI not found at ${cli}: set npm_execpath`);
  return cli;
}

// The same through npm itself, as `npm start` runs as a container's command or a
// service's ExecStart: npm hands the signal to the shell that runs the script, and a shell
// that does not pass it on left the server running with its connections (the script execs).
const NPM_PORT = 3113;

test('SIGTERM to `npm start` itself reaches the server: it stops within SHUTDOWN_TIMEOUT_MS, held keep-alive connections included', async () => {
  viaNpm = await startServer({
    name: `npm start on port ${NPM_PORT}`,
    args: [npmCli(), 'start'],
    env: { ...process.env, ...appEnv(NPM_PORT), SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) },
    readyUrl: `http://127.0.0.1:${NPM_PORT}/status`,
    timeoutMs: 60_000,
  });
  const held = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const first = send(held, 'GET', '/status', {}, NPM_PORT);
    expect((await answerTo(first.end())).status).toBe(200);
    const heldSocket = first.socket!;

    const signalled = Date.now();
    const exitedInTime = await Promise.race([viaNpm.signal('SIGTERM').then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), SHUTDOWN_TIMEOUT_MS + EXIT_ALLOWANCE_MS))]);
    expect(exitedInTime).toBe(true);
    // npm exiting proves nothing by itself (it exits once its shell does): the server must be gone too.
    const left = Math.max(0, signalled + SHUTDOWN_TIMEOUT_MS + EXIT_ALLOWANCE_MS - Date.now());
    const connectionClosed = await Promise.race([closed(heldSocket).then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), left))]);
    expect(connectionClosed).toBe(true);
    await expect(answerTo(send(held, 'GET', '/status', {}, NPM_PORT).end())).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  } finally {
    held.destroy();
  }
});
