/**
 * Starts OpenTelemetry for this process (instrumentation.ts calls it once, on the Node.js
 * runtime): a meter provider read by Prometheus and/or OTLP, and a tracer provider that
 * exports over OTLP. The OpenTelemetry SDK's own packages rather than @vercel/otel: the
 * Prometheus reader, and the exact set of processors, are ours to choose
 * (docs/OPERATIONS.md says why).
 */
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { type MetricReader, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { startRecordingMetrics } from './metrics';
import { RedactingSpanExporter } from './redacting-exporter';
import type { TelemetrySettings } from './telemetry-settings';

const globalForTelemetry = globalThis as unknown as { renewalTelemetryStarted?: boolean };

export function startTelemetry(settings: TelemetrySettings): void {
  // Once per process: a dev server may evaluate instrumentation.ts again.
  if (globalForTelemetry.renewalTelemetryStarted) return;
  const resource = resourceFromAttributes({ 'service.name': settings.serviceName });

  const readers: MetricReader[] = [];
  if (settings.prometheus) {
    const { host, port } = settings.prometheus;
    readers.push(
      new PrometheusExporter({ host, port }, (error) => {
        if (error) console.error(`renewal: the metrics endpoint could not listen on ${host}:${port} (${error.message}); the app runs on without it`);
        else console.info(`renewal: metrics for Prometheus on http://${host}:${port}/metrics`);
      }),
    );
  }
  if (settings.otlpMetrics) readers.push(new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter() }));
  metrics.setGlobalMeterProvider(new MeterProvider({ resource, readers }));
  startRecordingMetrics();

  // Tracing only when exported: the context manager's AsyncLocalStorage costs every await
  // a little (npm run bench, micro), which metrics alone do not need.
  if (settings.otlpTraces) {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(new TracerProvider({ resource, spanProcessors: [new BatchSpanProcessor({ exporter: new RedactingSpanExporter(new OTLPTraceExporter()), scheduledDelayMillis: 1000 })] }));
  }
  globalForTelemetry.renewalTelemetryStarted = true;
}
