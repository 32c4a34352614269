/**
 * fetch for calls to the IdP and to APIs, traced: a client span per call (its parent is
 * whatever span is active: the validation that renews), `traceparent` sent along, and the
 * call's duration recorded. The span holds the method, the host, the path and the status,
 * never a query string, a header or a body: those carry codes, tokens and secrets.
 */
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

export type Peer = 'idp' | 'api';

export interface OutboundCall {
  readonly method: string;
  readonly url: URL;
  readonly status?: number;
  readonly seconds: number;
  /** The call failed before an answer (network, timeout). */
  readonly failed: boolean;
}

/** What openid-client's customFetch and the app's own calls pass: headers as a plain record. */
export type OutboundInit = Omit<RequestInit, 'body' | 'headers'> & { readonly body?: unknown; readonly headers?: Record<string, string> };

const tracer = () => trace.getTracer('renewal');

/**
 * Wraps fetch for `peer`. `name` names the span and the metric's endpoint from the URL
 * (e.g. the IdP's token endpoint); `done` records the call in the metrics.
 */
export function outboundFetch<Endpoint extends string>(peer: Peer, name: (url: URL) => Endpoint, done?: (call: OutboundCall, endpoint: Endpoint) => void) {
  return async function fetchTraced(input: string, init: OutboundInit = {}): Promise<Response> {
    const url = new URL(input);
    const endpoint = name(url);
    const method = (init.method ?? 'GET').toUpperCase();
    return tracer().startActiveSpan(
      `${method} ${peer} ${endpoint}`,
      { kind: SpanKind.CLIENT, attributes: { 'http.request.method': method, 'server.address': url.hostname, 'url.path': url.pathname, 'renewal.peer': peer } },
      async (span) => {
        const headers: Record<string, string> = { ...init.headers };
        propagation.inject(context.active(), headers);
        const started = performance.now();
        try {
          const response = await fetch(url, { ...init, headers } as RequestInit);
          span.setAttribute('http.response.status_code', response.status);
          if (response.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
          done?.({ method, url, status: response.status, seconds: (performance.now() - started) / 1000, failed: false }, endpoint);
          return response;
        } catch (error) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'failed' });
          done?.({ method, url, seconds: (performance.now() - started) / 1000, failed: true }, endpoint);
          throw error;
        } finally {
          span.end();
        }
      },
    );
  };
}
