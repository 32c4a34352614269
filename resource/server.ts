/**
 * The notes API: a small resource server beside the dev IdP. It trusts nothing but the
 * access token: each request's bearer JWT is checked against the IdP's keys, issuer,
 * this API's audience and scope (verify-token.ts). The app reaches it only over HTTP.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { MAX_NOTE_LENGTH, NotesStore } from './notes-store.js';
import { readSettings } from './settings.js';
import { createTestControls } from './test-controls.js';
import { createTokenVerifier } from './verify-token.js';

const settings = readSettings();
const verifier = createTokenVerifier(settings.issuer, settings.audience, settings.scope);
const store = new NotesStore();
const controls = settings.testControls ? createTestControls() : undefined;
const MAX_BODY_BYTES = 4096;

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

async function notes(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (controls?.failing()) return send(res, 503, { error: 'temporarily_unavailable' });
  const verdict = controls?.rejectingNext() ? ({ ok: false, error: 'invalid_token', description: 'rejected on purpose (test control)' } as const) : await verifier.verify(req.headers.authorization);
  if (!verdict.ok) {
    controls?.count('unauthorized');
    // RFC 6750 §3: say why, so a client can tell an expired token from a missing scope.
    const challenge = `Bearer realm="notes", error="${verdict.error}", error_description="${verdict.description}"`;
    return send(res, verdict.error === 'insufficient_scope' ? 403 : 401, { error: verdict.error, error_description: verdict.description }, { 'www-authenticate': challenge });
  }
  controls?.count('served');
  if (req.method === 'GET') return send(res, 200, { notes: store.list(verdict.subject) });
  const body = (await readJson(req)) as { text?: unknown } | undefined;
  const text = typeof body?.text === 'string' ? body.text.trim() : '';
  if (!text || text.length > MAX_NOTE_LENGTH) {
    return send(res, 400, { error: 'invalid_request', error_description: `text must be 1 to ${MAX_NOTE_LENGTH} characters` });
  }
  return send(res, 201, { note: store.add(verdict.subject, text) });
}

const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const handle = async () => {
    if (controls && path.startsWith('/__test/')) return controls.handle(req, res, path);
    if (path === '/notes' && (req.method === 'GET' || req.method === 'POST')) return notes(req, res);
    if (path === '/health') return send(res, 200, { ok: true });
    return send(res, 404, { error: 'not_found' });
  };
  handle().catch((error: unknown) => {
    console.error('notes API:', error instanceof Error ? error.message : error);
    if (!res.headersSent) send(res, 500, { error: 'server_error' });
  });
});

server.listen(settings.port, settings.host, () => {
  console.log(`notes API: http://${settings.host}:${settings.port} (tokens from ${settings.issuer}, audience ${settings.audience}${controls ? ', test controls on' : ''})`);
});

function stop(): void {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
