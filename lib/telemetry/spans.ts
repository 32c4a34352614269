/**
 * A span around an async piece of work: active while it runs (so the IdP's and the APIs'
 * client spans nest under it), ended with its outcome. A no-op span unless OTLP tracing
 * is configured (lib/telemetry/telemetry-settings.ts).
 */
import { type Attributes, SpanStatusCode, trace } from '@opentelemetry/api';

export function withSpan<T>(name: string, attributes: Attributes, run: () => Promise<T>, outcome?: (result: T) => Attributes): Promise<T> {
  return trace.getTracer('renewal').startActiveSpan(name, { attributes }, async (span) => {
    try {
      const result = await run();
      if (outcome) span.setAttributes(outcome(result));
      return result;
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'failed' });
      throw error;
    } finally {
      span.end();
    }
  });
}
