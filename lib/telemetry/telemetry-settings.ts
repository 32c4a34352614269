/**
 * Which telemetry to start, from the environment. Nothing is started unless asked for:
 * METRICS_PORT serves Prometheus; OTEL_EXPORTER_OTLP_ENDPOINT (or its _TRACES_/_METRICS_
 * variants, read by the exporters themselves) pushes traces and metrics over OTLP/HTTP.
 */
export interface TelemetrySettings {
  /** Where the Prometheus scrape endpoint listens, if anywhere. */
  readonly prometheus?: { readonly host: string; readonly port: number };
  readonly otlpTraces: boolean;
  readonly otlpMetrics: boolean;
  readonly serviceName: string;
}

export class TelemetrySettingsError extends Error {
  readonly code = 'telemetry_settings';
}

export function readTelemetrySettings(env: Readonly<Record<string, string | undefined>> = process.env): TelemetrySettings | undefined {
  const port = env.METRICS_PORT?.trim();
  const otlp = Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim());
  const otlpTraces = otlp || Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
  const otlpMetrics = otlp || Boolean(env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT?.trim());
  if (!port && !otlpTraces && !otlpMetrics) return undefined;
  let prometheus: TelemetrySettings['prometheus'];
  if (port) {
    const number = Number(port);
    if (!/^\d+$/.test(port) || number < 1 || number > 65535) throw new TelemetrySettingsError(`METRICS_PORT must be a port number from 1 to 65535, got "${port}"`);
    // Loopback unless told otherwise: metrics say how many people sign in and when.
    prometheus = { host: env.METRICS_HOST?.trim() || '127.0.0.1', port: number };
  }
  return { prometheus, otlpTraces, otlpMetrics, serviceName: env.OTEL_SERVICE_NAME?.trim() || 'renewal' };
}
