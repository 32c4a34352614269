import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { Context } from 'koa';

/**
 * Lets the dev IdP's own middleware (test controls, quirks) read — and rewrite — a form
 * body before oidc-provider does. The body is read once, then offered again as a fresh
 * stream, so oidc-provider parses it as it would an untouched request.
 */
const FORM = Symbol('dev-idp-form');
type WithForm = IncomingMessage & { [FORM]?: URLSearchParams };

/** Reads a request body as text, up to `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  // Events rather than async iteration: returning from a `for await` destroys the request,
  // and destroying an IncomingMessage closes the socket under the response.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) reject(new Error('request body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** oidc-provider's own limit for form bodies. */
const FORM_LIMIT = 56 * 1024;

function replay(req: IncomingMessage, raw: string): void {
  const bytes = Buffer.from(raw, 'utf8');
  req.headers['content-length'] = String(bytes.length);
  Object.defineProperty(req, 'readable', { value: true, configurable: true });
  Object.defineProperty(req, 'iterator', { value: () => Readable.from([bytes]).iterator(), configurable: true });
}

/** The request's urlencoded form (empty for other bodies); later readers see the same. */
export async function requestForm(ctx: Context): Promise<URLSearchParams> {
  const req = ctx.req as WithForm;
  if (req[FORM]) return req[FORM];
  if (!ctx.is('application/x-www-form-urlencoded')) return new URLSearchParams();
  const raw = await readBody(req, FORM_LIMIT);
  replay(req, raw);
  req[FORM] = new URLSearchParams(raw);
  return req[FORM];
}

/** Replaces the form oidc-provider will read. */
export function replaceRequestForm(ctx: Context, form: URLSearchParams): void {
  const req = ctx.req as WithForm;
  replay(req, form.toString());
  req[FORM] = form;
}
