/**
 * Next.js calls register() once per server process before serving (the instrumentation
 * hook). Telemetry starts only when configured (lib/telemetry/telemetry-settings.ts) and
 * only on the Node.js runtime; otherwise nothing is loaded.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { readTelemetrySettings } = await import('./lib/telemetry/telemetry-settings');
  const settings = readTelemetrySettings();
  if (!settings) return;
  const { startTelemetry } = await import('./lib/telemetry/telemetry-start');
  startTelemetry(settings);
}
