/**
 * The notes API's routes. It trusts nothing but the access token: each request's bearer
 * JWT is checked by the verifier (verify-token.ts), and its `sub` is the only owner whose
 * notes the request can see or change.
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

/** The URL a request was sent to, as a DPoP proof's `htu` names it: this server speaks plain HTTP on loopback. */
function requestUrl(req: IncomingMessage): URL {
  return new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
}

/**
 * RFC 6750 §3 and RFC 9449 §7.1: say why, in the scheme the token was refused under, so a
 * client can tell an expired token from a missing scope or a bad proof. A request with no
 * token at all is told both schemes this API takes.
 */
function challenges(verdict: Extract<Verdict, { ok: false }>, noToken: boolean): string[] {
  const reason = `realm="notes", error="${verdict.error}", error_description="${verdict.description}"`;
  const algs = `algs="${DPOP_ALGORITHMS.join(' ')}"`;
  if (verdict.scheme === 'DPoP') return [`DPoP ${reason}, ${algs}`];
  return noToken ? [`Bearer ${reason}`, `DPoP ${algs}`] : [`Bearer ${reason}`];
}

/** The request handler of the notes API, for `http.createServer`. */
export function createNotesApi({ verifier, store, controls }: NotesApiParts): (req: IncomingMessage, res: ServerResponse) => void {
  /** The token's subject, or undefined once the refusal is sent. */
  async function caller(req: IncomingMessage, res: ServerResponse): Promise<string | undefined> {
    if (controls?.failing()) {
      send(res, 503, { error: 'temporarily_unavailable' });
      return undefined;
    }
    const verdict = controls?.rejectingNext()
      ? ({ ok: false, error: 'invalid_token', description: 'rejected on purpose (test control)', scheme: 'Bearer' } as const)
      : await verifier.verify({ authorization: req.headers.authorization, dpop: req.headers.dpop, method: req.method ?? 'GET', url: requestUrl(req) });
    if (!verdict.ok) {
      controls?.count('unauthorized');
      res.setHeader('www-authenticate', challenges(verdict, req.headers.authorization === undefined));
      send(res, verdict.error === 'insufficient_scope' ? 403 : 401, { error: verdict.error, error_description: verdict.description });
      return undefined;
    }
    controls?.count('served');
    return verdict.subject;
  }

  async function notes(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const subject = await caller(req, res);
    if (subject === undefined) return;
    if (req.method === 'GET') return send(res, 200, { notes: store.list(subject) });
    const body = (await readJson(req)) as { text?: unknown } | undefined;
    const text = typeof body?.text === 'string' ? body.text.trim() : '';
    if (!text || text.length > MAX_NOTE_LENGTH) {
      return send(res, 400, { error: 'invalid_request', error_description: `text must be 1 to ${MAX_NOTE_LENGTH} characters` });
    }
    return send(res, 201, { note: store.add(subject, text) });
  }

  async function deleteNote(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const subject = await caller(req, res);
    if (subject === undefined) return;
    // Someone else's note is "not found" too: an id says nothing about whose it is.
    if (!store.remove(subject, id)) return send(res, 404, { error: 'not_found', error_description: 'no such note' });
    return send(res, 204);
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (controls && path.startsWith('/__test/')) return controls.handle(req, res, path);
    if (path === '/health') return send(res, 200, { ok: true });
    if (path === '/notes') {
      if (req.method === 'GET' || req.method === 'POST') return notes(req, res);
      return send(res, 405, { error: 'method_not_allowed' }, { allow: 'GET, POST' });
    }
    const id = noteId(path);
    if (id !== undefined) {
      if (req.method === 'DELETE') return deleteNote(req, res, id);
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
