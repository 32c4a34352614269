import 'server-only';
import { type AppConfig, parseConfig } from './config';

let parsed: AppConfig | undefined;

/** The app's configuration, parsed from the environment once. Throws ConfigError. */
export function env(): AppConfig {
  parsed ??= parseConfig(process.env);
  return parsed;
}
