/**
 * Spans leave this process without query strings. Next.js's own request spans record
 * `http.target` with the query — on /auth/callback that is the authorization code and the
 * state (found by e2e/telemetry.spec.ts). Every string attribute that holds a URL or path
 * with a query, and every span name, loses the query before export, whoever made the span.
 */
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import type { Attributes } from '@opentelemetry/api';

const QUERY = /\?[^\s#]*/g;

export function withoutQuery(text: string): string {
  return text.includes('?') ? text.replace(QUERY, '?[redacted]') : text;
}

function redactAttributes(attributes: Attributes): Attributes {
  let changed = false;
  const copy: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    const redacted = typeof value === 'string' ? withoutQuery(value) : value;
    changed ||= redacted !== value;
    copy[key] = redacted;
  }
  return changed ? copy : attributes;
}

/** The span as exported: the same object underneath (its methods, its context), redacted on top. */
function redacted(span: ReadableSpan): ReadableSpan {
  const attributes = redactAttributes(span.attributes);
  const name = withoutQuery(span.name);
  if (attributes === span.attributes && name === span.name) return span;
  return Object.create(span, { attributes: { value: attributes }, name: { value: name } }) as ReadableSpan;
}

export class RedactingSpanExporter implements SpanExporter {
  constructor(private readonly inner: SpanExporter) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans.map(redacted), done);
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}
