// The production server: what `npm start` runs (after scripts/start.mjs has checked the
// configuration and migrated), and what the test suites start as extra instances. Next.js's
// request handler on a node:http server whose shutdown is ours: `next start` answers SIGTERM
// with server.close() alone, which waits for busy keep-alive connections to go quiet and time
// out (KEEP_ALIVE_TIMEOUT_MS, 65 s) and meanwhile answers the requests they bring. In a rolling
// deploy the replaced instance kept serving with its old settings — a cookie sealed with a
// dropped secret was still admitted there while the new instances refused it.
import { createServer } from 'node:http';
import { listenAddress, millisecondsSetting, shutdownTimeoutMs } from './processes.mjs';

// Before `next` loads: it picks its production or development code by NODE_ENV.
process.env.NODE_ENV = 'production';
process.env.NEXT_TELEMETRY_DISABLED ??= '1';
const { default: next } = await import('next');

// Node closes idle keep-alive connections after 5 s; a client (or load balancer) reusing
// one at that moment gets a reset. Outlive the usual 60 s idle timeout of load balancers.
const KEEP_ALIVE_TIMEOUT_MS = millisecondsSetting('KEEP_ALIVE_TIMEOUT_MS', 65_000);
const SHUTDOWN_TIMEOUT_MS = shutdownTimeoutMs();

/** Where this process reaches itself; the hostname rules are those of `next start`. */
function selfOrigin(host, port) {
  const reachable = host === '0.0.0.0' ? 'localhost' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

/**
 * Stops `server` on SIGTERM or SIGINT within `timeoutMs`: it stops accepting connections,
 * closes idle keep-alive connections at once, answers each request in flight (or arriving
 * on a connection already open) with `Connection: close` and closes its connection once
 * the answer is written; whatever is still open at the bound is destroyed. Then
 * `beforeExit` runs (within the same bound) and the process exits: 0 when every request was
 * answered, 1 when the bound cut some off.
 *
 * Installs a 'request' listener: call it before the one that answers, so a request arriving
 * during shutdown is marked before anything can write its headers.
 */
function stopOnSignals(server, { timeoutMs, beforeExit }) {
  const open = new Set();
  let stopping = false;

  function closeAfterAnswer(req, res) {
    if (!res.headersSent) res.setHeader('Connection', 'close');
    // Headers sent before the signal said keep-alive: close once the answer is written.
    res.once('finish', () => req.socket.destroySoon());
  }

  server.on('request', (req, res) => {
    open.add(res);
    res.once('close', () => open.delete(res));
    if (stopping) closeAfterAnswer(req, res);
  });

  function stop(signal) {
    if (stopping) return;
    stopping = true;
    console.log(`serve: ${signal}: no new connections; answering ${open.size} request(s) in flight within ${timeoutMs} ms`);
    const bound = setTimeout(() => {
      console.error(`serve: not stopped ${timeoutMs} ms after ${signal} (SHUTDOWN_TIMEOUT_MS): cutting off ${open.size} request(s)`);
      server.closeAllConnections();
      process.exit(1);
    }, timeoutMs);
    for (const res of open) closeAfterAnswer(res.req, res);
    server.close(async () => {
      await beforeExit().catch((error) => console.error('serve: cleanup failed:', error instanceof Error ? error.message : error));
      clearTimeout(bound);
      process.exit(0);
    });
    server.closeIdleConnections();
  }
  // Repeated signals (Ctrl-C reaches both `npm start` and this process) change nothing.
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

const { port, host } = listenAddress(process.env.APP_URL);
const app = next({ dev: false, dir: process.cwd(), hostname: host, port: Number(port) });
const handle = app.getRequestHandler();
await app.prepare();

// `next start` sets this: a server action's redirect is rendered by fetching the target
// from this process, and without it Next.js builds the URL from the request — https behind
// a proxy that terminates TLS (X-Forwarded-Proto), which this server does not speak.
process.env.__NEXT_PRIVATE_ORIGIN = selfOrigin(host, port);

const server = createServer();
server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
stopOnSignals(server, { timeoutMs: SHUTDOWN_TIMEOUT_MS, beforeExit: () => app.close() });
server.on('request', async (req, res) => {
  try {
    await handle(req, res);
  } catch (error) {
    // The path alone: a query may hold an authorization code.
    console.error(`serve: failed to handle ${req.method} ${new URL(req.url ?? '/', 'http://x').pathname}:`, error);
    res.statusCode = 500;
    res.end('Internal Server Error');
  }
});
server.on('error', (error) => {
  console.error(`serve: cannot listen on ${host}:${port}:`, error.message);
  process.exit(1);
});
server.listen(Number(port), host, () => console.log(`serve: listening on ${selfOrigin(host, port)}`));
