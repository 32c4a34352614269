/**
 * Exits with every configuration problem listed at once, before the server starts; under
 * OIDC_PROFILE, also with everything the IdP lacks for it.
 */
import { ConfigError, parseConfig } from '../lib/config';
import { checkIdpProfile } from '../lib/auth/idp/profile-check';
import { readTelemetrySettings, TelemetrySettingsError } from '../lib/telemetry/telemetry-settings';

try {
  const config = parseConfig(process.env);
  readTelemetrySettings(process.env);
  const check = await checkIdpProfile();
  if (check?.kind === 'lacking') {
    console.error(`OIDC_PROFILE=${config.oidc.profile}, but the IdP at ${config.oidc.issuer.href} does not offer:\n${check.gaps.map((gap) => `  - ${gap}`).join('\n')}\nRenewal will not start against it. docs/CONFIGURATION.md, "FAPI 2.0", lists IdPs that offer the profile and their settings.`);
    process.exit(1);
  }
  if (check?.kind === 'unreachable') {
    console.warn(`OIDC_PROFILE=${config.oidc.profile}: the IdP could not be asked what it offers (${check.why}). Starting anyway; sign-in checks it once the IdP answers.`);
  }
} catch (error) {
  console.error(error instanceof ConfigError || error instanceof TelemetrySettingsError ? error.message : error);
  process.exit(1);
}
