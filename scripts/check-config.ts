/** Exits with every configuration problem listed at once, before the server starts. */
import { ConfigError, parseConfig } from '../lib/config';
import { readTelemetrySettings, TelemetrySettingsError } from '../lib/telemetry/telemetry-settings';

try {
  parseConfig(process.env);
  readTelemetrySettings(process.env);
} catch (error) {
  console.error(error instanceof ConfigError || error instanceof TelemetrySettingsError ? error.message : error);
  process.exit(1);
}
