/**
 * Strict-Transport-Security (RFC 6797): tells browsers to reach this host over https only,
 * for two years, subdomains included. Sent only where the app is served over https: on
 * http a browser ignores it anyway, and a development host (`localhost`) must never be
 * pinned to https.
 */
export const STRICT_TRANSPORT_SECURITY = 'max-age=63072000; includeSubDomains';

/**
 * The header for an app served at `appUrl` — the APP_URL of the running process, never
 * the one the build saw: the same build may serve http in a test and https in production.
 */
export function strictTransportSecurity(appUrl: URL): string | undefined {
  return appUrl.protocol === 'https:' ? STRICT_TRANSPORT_SECURITY : undefined;
}

/** Sets the header on `headers` when `appUrl` is https. */
export function applyStrictTransportSecurity(headers: Headers, appUrl: URL): void {
  const value = strictTransportSecurity(appUrl);
  if (value) headers.set('Strict-Transport-Security', value);
}
