/** Security headers on every response (SECURITY-CHECKLIST E.37). */
const securityHeaders = [
  {
    key: 'Content-Security-Policy',
    // Next.js inlines its bootstrap scripts, hence 'unsafe-inline' for scripts; nothing
    // else may load from another origin, and no one may frame the app.
    value: [
      "default-src 'self'",
      // `next dev` evaluates modules with eval (React's development build needs it); a
      // production build never does, so only development allows it.
      process.env.NODE_ENV === 'development' ? "script-src 'self' 'unsafe-inline' 'unsafe-eval'" : "script-src 'self' 'unsafe-inline'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data:",
      "connect-src 'self'",
      "frame-ancestors 'none'",
      "base-uri 'self'",
      // Sign-in and sign-out forms post to our own routes, which redirect to the IdP;
      // browsers apply form-action to those redirects too.
      "form-action 'self' http: https:",
      "object-src 'none'",
    ].join('; '),
  },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
  { key: 'X-Frame-Options', value: 'DENY' },
];

/**
 * HSTS (lib/transport-security.ts) on every response to a request that reached the TLS
 * terminator in front of the app over https. Decided per request, never from the build's
 * APP_URL: these rules are fixed when the app is built, and one build may serve http in a
 * test and https in production. Responses that pass through the proxy also get it from the
 * running process's APP_URL (proxy.ts), whatever the terminator forwards. On plain http a
 * browser ignores the header, so a forged X-Forwarded-Proto pins nothing.
 */
const strictTransportSecurity = {
  source: '/:path*',
  has: [{ type: 'header', key: 'x-forwarded-proto', value: 'https(?:\\s*,.*)?' }],
  headers: [{ key: 'Strict-Transport-Security', value: 'max-age=63072000; includeSubDomains' }],
};

/** The other name of a loopback host: the one a browser may reach `next dev` by as well. */
const LOOPBACK_ALIASES = { localhost: '127\\.0\\.0\\.1', '127.0.0.1': 'localhost' };

/**
 * In development, APP_URL's loopback host under its other name redirects to APP_URL. A
 * sign-in starts on the origin the person is at and ends on the one the IdP returns to,
 * APP_URL; the transaction cookie stays with the first, so only APP_URL can sign in.
 * `npm run dev` prints APP_URL (localhost by default) and `next dev` prints 127.0.0.1:
 * whichever a person opens, they end up where sign-in works. Production serves one
 * public host and never gets this rule (it would be fixed at build time).
 */
function loopbackAliasRedirects() {
  if (process.env.NODE_ENV !== 'development') return [];
  // lib/config.ts's development default.
  const appUrl = new URL(process.env.APP_URL ?? 'http://localhost:3000');
  const alias = LOOPBACK_ALIASES[appUrl.hostname];
  if (!alias) return [];
  return [{ source: '/:path*', has: [{ type: 'host', value: alias }], destination: `${appUrl.origin}/:path*`, permanent: false }];
}

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  // `next dev`'s indicator is fixed to a corner of the window. Pages here are left-aligned, so
  // at the bottom-left it covers text on a phone (the dashboard chart's legend); the
  // bottom-right is where lines end early.
  devIndicators: { position: 'bottom-right' },
  experimental: {
    // `next dev` only. With Turbopack's on-disk cache of an earlier dev session (seen after
    // `npm test`'s dev-mode spec, or a dev server stopped mid-write), Next 16.4.6 answered
    // every page's first HMR subscription with a "restart" that nothing had caused: the page
    // reloaded about four times a second, forever. Without the cache it never did; a cold
    // `next dev` compiles a little longer. docs/TESTING.md, "The dev-mode check".
    turbopackFileSystemCacheForDev: false,
  },
  // OpenTelemetry's API keeps one global provider per process: one copy of each package.
  serverExternalPackages: ['better-sqlite3', '@prisma/adapter-better-sqlite3', '@opentelemetry/api', '@opentelemetry/sdk-metrics', '@opentelemetry/sdk-trace', '@opentelemetry/exporter-prometheus', '@opentelemetry/exporter-trace-otlp-http', '@opentelemetry/exporter-metrics-otlp-http', '@opentelemetry/context-async-hooks'],
  async redirects() {
    return loopbackAliasRedirects();
  },
  async rewrites() {
    return {
      // Sign-out returns to `/?state=…` (post_logout_redirect_uri): only that is rendered per
      // request, to check the state against this browser's cookie; `/` itself stays static.
      // Before the filesystem, or the static page would answer first.
      beforeFiles: [{ source: '/', has: [{ type: 'query', key: 'state' }], destination: '/sign-out-return' }],
      // Browsers ask for /favicon.ico whatever the page says: answer with the app's icon.
      afterFiles: [{ source: '/favicon.ico', destination: '/icon.svg' }],
    };
  },
  async headers() {
    return [{ source: '/:path*', headers: securityHeaders }, strictTransportSecurity];
  },
};

export default nextConfig;
