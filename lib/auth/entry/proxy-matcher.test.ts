import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { getPagesPageStaticInfo } from 'next/dist/build/analysis/get-page-static-info';
import { loadBindings } from 'next/dist/build/swc';
import type { PAGE_TYPES } from 'next/dist/lib/page-types';
import { getMiddlewareRouteMatcher } from 'next/dist/shared/lib/router/utils/middleware-route-matcher';

/**
 * Which paths go through proxy.ts, decided by Next.js's own code: the build reads
 * `config.matcher` from the source without running it (SWC), compiles it with
 * path-to-regexp (getMiddlewareMatchers, adding the `_next/data` prefix and the `.rsc` /
 * `.segments` suffixes), and the server tests each request's path, raw and decoded
 * (router-utils/resolve-routes.js). The app sets neither basePath nor i18n, which would
 * change the compiled pattern.
 */
async function proxiedPaths(): Promise<(path: string) => boolean> {
  await loadBindings();
  // As the build reads proxy.ts: a file outside app/, so a "pages" file (build/entries.js).
  const info = await getPagesPageStaticInfo({ pageFilePath: resolve('proxy.ts'), nextConfig: {}, isDev: false, page: '/proxy', pageType: 'pages' as PAGE_TYPES });
  // Without a matcher Next.js runs the proxy for every path, public pages included.
  assert.ok(info.middleware?.matchers?.length, 'Next.js found no matcher in proxy.ts: it must be a literal it can read at build time');
  const matches = getMiddlewareRouteMatcher(info.middleware.matchers);
  const request = { headers: {} } as Parameters<typeof matches>[1];
  return (path) => matches(path, request, {}) || matches(decodeURIComponent(path), request, {});
}

/** The URL path of each page.tsx under `dir`: route groups dropped, dynamic segments filled in. */
function pagePaths(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isFile()) return entry.name === 'page.tsx' ? [prefix || '/'] : [];
    if (!entry.isDirectory() || entry.name.startsWith('_')) return [];
    const segment = entry.name.startsWith('(') ? '' : `/${entry.name.startsWith('[') ? 'x' : entry.name}`;
    return pagePaths(join(dir, entry.name), prefix + segment);
  });
}

const protectedPages = pagePaths(resolve('app/(protected)'));
const publicPages = pagePaths(resolve('app')).filter((path) => !protectedPages.includes(path));

test('every page under app/(protected) is renewed by the proxy, with what lies below it and its RSC forms', async () => {
  const proxied = await proxiedPaths();
  assert.ok(protectedPages.length >= 3, `found ${protectedPages.join(', ')}`);
  for (const page of protectedPages) {
    for (const path of [page, `${page}/`, `${page}/x`, `${page}.rsc`, `${page}.segments/_tree.segment.rsc`]) assert.equal(proxied(path), true, `${path} is not proxied`);
  }
});

test('public pages, unknown paths (answered by the 404 page), the API, the sign-in routes and static files are not', async () => {
  const proxied = await proxiedPaths();
  assert.ok(publicPages.includes('/') && publicPages.includes('/signin'), `found ${publicPages.join(', ')}`);
  const unknown = ['/anything', '/statistics', '/dashboards', '/notes-old', '/sessionsx', '/x/dashboard', '/signin-help', '/anything.rsc'];
  const other = ['/status', '/api', '/api/me', '/api/whoami', '/api/upstream/notes', '/auth/login', '/auth/callback', '/_next/static/x.js', '/_next/image', '/favicon.ico', '/icon', '/icon.svg', '/signin.rsc'];
  for (const path of [...publicPages, ...unknown, ...other]) assert.equal(proxied(path), false, `${path} is proxied`);
});
