/**
 * The notes API's routes. It trusts nothing but the access token: each request's JWT
 * (Bearer, or DPoP with a proof) is checked by the verifier (verify-token.ts), and its
 * `sub` is the only owner whose notes the request can see or change.
 *
 *   GET    /notes       the caller's notes, newest first
 *   POST   /notes       add one: {"text": "…"} → 201 {"note": …}
 *   DELETE /notes/:id   remove one of the caller's notes → 204; 404 if the caller has none with that id
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_NOTE_LENGTH, type NotesStore } from './notes-store.js';
import type { TestControls } from './test-controls.js';
import { DPOP_ALGORITHMS } from './verify-dpop.js';
import type { TokenVerifier, Verdict } from './verify-token.js';

export interface NotesApiParts {
  readonly verifier: TokenVerifier;
  readonly store: NotesStore;
  /** Present only with RESOURCE_TEST_CONTROLS=1. */
  readonly controls?: TestControls;
}

const MAX_BODY_BYTES = 4096;
const ONE_NOTE = /^\/notes\/([^/]+)$/;
/** RFC 9110 §7.2: a host name or address and an optional port, nothing a URL parser would read as a path or user. */
const HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/;

function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (body === undefined) {
    res.writeHead(status, { 'cache-control': 'no-store', ...headers }).end();
    return;
  }
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

function noteId(path: string): string | undefined {
  const segment = ONE_NOTE.exec(path)?.[1];
  if (segment === undefined) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * The URL a request was sent to, as a DPoP proof's `htu` names it: this server speaks
 * plain HTTP, and the Host header names the authority the client used. Only origin-form
 * targets ("/notes"): resolved against a base, "//elsewhere/notes" would name another
 * host, and a proof made for another server would pass. Undefined for a request no URL
 * can be made of (no Host or a malformed one, another target form): a 400, RFC 9112 §3.2.
 */
function requestUrl(req: IncomingMessage): URL | undefined {
  const target = req.url ?? '';
  const host = req.headers.host ?? '';
  if (!target.startsWith('/') || target.startsWith('//') || !HOST.test(host)) return undefined;
  try {
    return new URL(`http://${host}${target}`);
  } catch {
    return undefined;
  }
}

/** RFC 6750 §3: an error_description holds printable ASCII but `"` and `\`, so the challenge stays parseable. */
function quotable(text: string): string {
  return text.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, '');
}

/**
 * RFC 6750 §3 and RFC 9449 §7.1: say why, in the scheme the token was refused under, so a
 * client can tell an expired token from a missing scope or a bad proof. A request with no
 * token at all is told both schemes this API takes.
 */
function challenges(verdict: Extract<Verdict, { ok: false }>, noToken: boolean): string[] {
  const reason = `realm="notes", error="${verdict.error}", error_description="${quotable(verdict.description)}"`;
  const algs = `algs="${DPOP_ALGORITHMS.join(' ')}"`;
  if (verdict.scheme === 'DPoP') return [`DPoP ${reason}, ${algs}`];
  return noToken ? [`Bearer ${reason}`, `DPoP ${algs}`] : [`Bearer ${reason}`];
}

/** The request handler of the notes API, for `http.createServer`. */
export function createNotesApi({ verifier, store, controls }: NotesApiParts): (req: IncomingMessage, res: ServerResponse) => void {
  /** The token's subject, or undefined once the refusal is sent. */
  async function caller(req: IncomingMessage, res: ServerResponse, url: URL): Promise<string | undefined> {
    if (controls?.failing()) {
      send(res, 503, { error: 'temporarily_unavailable' });
      return undefined;
    }
    // headersDistinct: req.headers would join two DPoP fields into one "a, b" string, and RFC 9449 §4.3 wants exactly one.
    const verdict = controls?.rejectingNext()
      ? ({ ok: false, error: 'invalid_token', description: 'rejected on purpose (test control)', scheme: 'Bearer' } as const)
      : await verifier.verify({ authorization: req.headers.authorization, dpop: req.headersDistinct.dpop ?? [], method: req.method ?? 'GET', url });
    if (!verdict.ok) {
      controls?.count('unauthorized');
      res.setHeader('www-authenticate', challenges(verdict, req.headers.authorization === undefined));
      send(res, verdict.error === 'insufficient_scope' ? 403 : 401, { error: verdict.error, error_description: verdict.description });
      return undefined;
    }
    controls?.count('served');
    return verdict.subject;
  }

  async function notes(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const subject = await caller(req, res, url);
    if (subject === undefined) return;
    if (req.method === 'GET') return send(res, 200, { notes: store.list(subject) });
    const body = (await readJson(req)) as { text?: unknown } | undefined;
    const text = typeof body?.text === 'string' ? body.text.trim() : '';
    if (!text || text.length > MAX_NOTE_LENGTH) {
      return send(res, 400, { error: 'invalid_request', error_description: `text must be 1 to ${MAX_NOTE_LENGTH} characters` });
    }
    return send(res, 201, { note: store.add(subject, text) });
  }

  async function deleteNote(req: IncomingMessage, res: ServerResponse, url: URL, id: string): Promise<void> {
    const subject = await caller(req, res, url);
    if (subject === undefined) return;
    // Someone else's note is "not found" too: an id says nothing about whose it is.
    if (!store.remove(subject, id)) return send(res, 404, { error: 'not_found', error_description: 'no such note' });
    return send(res, 204);
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = requestUrl(req);
    if (!url) return send(res, 400, { error: 'invalid_request', error_description: 'the request needs a Host header and a path' });
    const path = url.pathname;
    if (controls && path.startsWith('/__test/')) return controls.handle(req, res, path);
    if (path === '/health') return send(res, 200, { ok: true });
    if (path === '/notes') {
      if (req.method === 'GET' || req.method === 'POST') return notes(req, res, url);
      return send(res, 405, { error: 'method_not_allowed' }, { allow: 'GET, POST' });
    }
    const id = noteId(path);
    if (id !== undefined) {
      if (req.method === 'DELETE') return deleteNote(req, res, url, id);
      return send(res, 405, { error: 'method_not_allowed' }, { allow: 'DELETE' });
    }
    return send(res, 404, { error: 'not_found' });
  }

  return (req, res) => {
    route(req, res).catch((error: unknown) => {
      console.error('notes API:', error instanceof Error ? error.message : error);
      if (!res.headersSent) send(res, 500, { error: 'server_error' });
    });
  };
}
