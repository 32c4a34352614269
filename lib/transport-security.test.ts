import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { NextConfig } from 'next';
import { modifyRouteRegex } from 'next/dist/lib/redirect-status';
import { getPathMatch } from 'next/dist/shared/lib/router/utils/path-match';
import { matchHas } from 'next/dist/shared/lib/router/utils/prepare-destination';
import { applyStrictTransportSecurity, STRICT_TRANSPORT_SECURITY, strictTransportSecurity } from './transport-security';

// A CommonJS default export, which an ES module import would see as the whole module.
const { default: loadCustomRoutes } = createRequire(import.meta.url)('next/dist/lib/load-custom-routes') as typeof import('next/dist/lib/load-custom-routes');

test('HSTS follows the APP_URL the process runs with: https sends it, http does not', () => {
  assert.equal(strictTransportSecurity(new URL('https://app.example')), STRICT_TRANSPORT_SECURITY);
  assert.equal(strictTransportSecurity(new URL('https://app.example:8443/')), STRICT_TRANSPORT_SECURITY);
  assert.equal(strictTransportSecurity(new URL('http://localhost:3000')), undefined);
  assert.equal(strictTransportSecurity(new URL('http://app.example')), undefined);

  const https = new Headers();
  applyStrictTransportSecurity(https, new URL('https://app.example'));
  assert.equal(https.get('strict-transport-security'), 'max-age=63072000; includeSubDomains');
  const http = new Headers();
  applyStrictTransportSecurity(http, new URL('http://localhost:3000'));
  assert.equal(http.has('strict-transport-security'), false);
});

/** next.config.mjs as a build with `appUrl` in its environment evaluates it. */
async function configBuiltWith(appUrl: string): Promise<NextConfig> {
  const saved = process.env.APP_URL;
  process.env.APP_URL = appUrl;
  try {
    // A query of its own makes each build a fresh evaluation of the module.
    const url = `${pathToFileURL(resolve('next.config.mjs')).href}?APP_URL=${encodeURIComponent(appUrl)}`;
    return ((await import(url)) as { default: NextConfig }).default;
  } finally {
    if (saved === undefined) delete process.env.APP_URL;
    else process.env.APP_URL = saved;
  }
}

/**
 * The headers `config` adds to a response, as `next start` picks them: the rules as the
 * build validates and stores them (loadCustomRoutes), each matched on the path as the
 * server compiles it (buildCustomRoute in router-utils/filesystem.js) and on its `has`
 * conditions at request time (router-utils/resolve-routes.js).
 */
async function configuredHeaders(config: NextConfig, pathname: string, requestHeaders: Record<string, string>): Promise<Map<string, string>> {
  const { headers: rules } = await loadCustomRoutes(config);
  const request = { headers: requestHeaders } as unknown as Parameters<typeof matchHas>[0];
  const sent = new Map<string, string>();
  for (const rule of rules) {
    if (!getPathMatch(rule.source, { strict: true, removeUnnamedParams: true, regexModifier: (regex) => modifyRouteRegex(regex) })(pathname)) continue;
    if ((rule.has || rule.missing) && !matchHas(request, {}, rule.has, rule.missing)) continue;
    for (const { key, value } of rule.headers) sent.set(key.toLowerCase(), value);
  }
  return sent;
}

test('whatever APP_URL the build saw, next.config.mjs sends HSTS exactly to requests that came over https', async () => {
  for (const appUrl of ['http://localhost:3100', 'https://app.example']) {
    const config = await configBuiltWith(appUrl);
    const hsts = async (path: string, headers: Record<string, string>) => (await configuredHeaders(config, path, headers)).get('strict-transport-security');
    for (const path of ['/', '/signin', '/api/me', '/auth/login', '/_next/static/chunks/x.js']) {
      assert.equal(await hsts(path, { 'x-forwarded-proto': 'https' }), STRICT_TRANSPORT_SECURITY, `${path} over https (built with ${appUrl})`);
      assert.equal(await hsts(path, { 'x-forwarded-proto': 'https, http' }), STRICT_TRANSPORT_SECURITY, `${path} over https, then a second proxy`);
      assert.equal(await hsts(path, {}), undefined, `${path} without a TLS terminator (built with ${appUrl})`);
      assert.equal(await hsts(path, { 'x-forwarded-proto': 'http' }), undefined, `${path} over http (built with ${appUrl})`);
      assert.equal(await hsts(path, { 'x-forwarded-proto': 'http, https' }), undefined, `${path} over http, then https between proxies`);
      // The other security headers do not depend on the scheme.
      assert.equal((await configuredHeaders(config, path, {})).get('x-content-type-options'), 'nosniff');
    }
  }
});
