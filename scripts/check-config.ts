/** Exits with every configuration problem listed at once, before the server starts. */
import { ConfigError, parseConfig } from '../lib/config';

try {
  parseConfig(process.env);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
