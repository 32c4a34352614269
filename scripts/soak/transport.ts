/**
 * Sends one HTTP request as a browser's network stack would, without following redirects
 * (browser.ts decides what to follow). Requests to the app's public origin go to one of
 * the instances, picked at random as a load balancer would; a refused connection (a dead
 * instance) is retried on another one.
 */
import type { Metrics } from './metrics';
import { pick } from './random';
import { APP_ORIGIN } from './settings';

export interface Backend {
  readonly origin: string;
  readonly port: number;
}

export interface RequestOptions {
  readonly method?: 'GET' | 'POST';
  readonly headers?: Record<string, string>;
  /** A FormData body is sent as multipart/form-data, as a form post or a server action is. */
  readonly body?: string | FormData;
  /** Abort the request this long after sending it, unless its response headers came first. */
  readonly abortAfterMs?: number;
}

export interface Exchange {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
  /** The app instance's port, for requests to the app. */
  readonly instance?: string;
  readonly sentAt: number;
  readonly latencyMs: number;
}

export type Outcome =
  | { readonly kind: 'response'; readonly exchange: Exchange }
  /** Aborted before its response headers arrived: whatever the server did, its Set-Cookie is lost. */
  | { readonly kind: 'aborted'; readonly instance?: string }
  | { readonly kind: 'failed'; readonly reason: 'connection_lost' | 'timeout' | 'no_backend'; readonly instance?: string; readonly detail: string };

const REQUEST_TIMEOUT_MS = 20_000;
/** What a load balancer tells the instance about the public URL: Next checks a server action's Origin against it. */
const FORWARDED = { 'x-forwarded-host': new URL(APP_ORIGIN).host, 'x-forwarded-proto': new URL(APP_ORIGIN).protocol.replace(':', '') };
const MAX_LB_ROUNDS = 3;

function errorCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}

export class Transport {
  constructor(
    private readonly backends: readonly Backend[],
    private readonly metrics: Metrics,
  ) {}

  async send(url: URL, options: RequestOptions = {}): Promise<Outcome> {
    if (url.origin !== APP_ORIGIN) {
      const outcome = await this.sendTo(url, undefined, options);
      return outcome === 'refused' ? { kind: 'failed', reason: 'connection_lost', detail: 'ECONNREFUSED' } : outcome;
    }
    const tried = new Set<Backend>();
    for (let round = 0; round < MAX_LB_ROUNDS; round++) {
      tried.clear();
      while (tried.size < this.backends.length) {
        const candidates = this.backends.filter((backend) => !tried.has(backend));
        const backend = pick(candidates);
        tried.add(backend);
        const target = new URL(`${url.pathname}${url.search}`, backend.origin);
        const outcome = await this.sendTo(target, String(backend.port), { ...options, headers: { ...options.headers, ...FORWARDED } });
        if (outcome !== 'refused') return outcome;
        this.metrics.lbRetries += 1;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return { kind: 'failed', reason: 'no_backend', detail: 'every instance refused the connection' };
  }

  private async sendTo(url: URL, instance: string | undefined, options: RequestOptions): Promise<Outcome | 'refused'> {
    const abort = new AbortController();
    let abortedByBrowser = false;
    let timedOut = false;
    const abortTimer =
      options.abortAfterMs === undefined
        ? undefined
        : setTimeout(() => {
            abortedByBrowser = true;
            abort.abort();
          }, options.abortAfterMs);
    const timeout = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, REQUEST_TIMEOUT_MS);
    const sentAt = Date.now();
    this.metrics.requests += 1;
    try {
      const response = await fetch(url, {
        method: options.method ?? 'GET',
        headers: options.headers,
        body: options.body,
        redirect: 'manual',
        signal: abort.signal,
      });
      // Headers arrived: a browser applies Set-Cookie now, whatever happens to the body.
      clearTimeout(abortTimer);
      abortedByBrowser = false;
      const body = await response.text();
      const latencyMs = Date.now() - sentAt;
      this.metrics.completed += 1;
      this.metrics.latenciesMs.push(latencyMs);
      return { kind: 'response', exchange: { status: response.status, headers: response.headers, body, sentAt, latencyMs, ...(instance ? { instance } : {}) } };
    } catch (error) {
      const withInstance = instance ? { instance } : {};
      if (abortedByBrowser) {
        this.metrics.aborted += 1;
        return { kind: 'aborted', ...withInstance };
      }
      if (timedOut) {
        this.metrics.timeouts += 1;
        return { kind: 'failed', reason: 'timeout', detail: `no answer within ${REQUEST_TIMEOUT_MS} ms`, ...withInstance };
      }
      const code = errorCode(error);
      if (code === 'ECONNREFUSED') {
        this.metrics.requests -= 1; // never reached a server: the retry is the request
        return 'refused';
      }
      return { kind: 'failed', reason: 'connection_lost', detail: code, ...withInstance };
    } finally {
      clearTimeout(abortTimer);
      clearTimeout(timeout);
    }
  }
}
