import type { NextRequest, NextResponse } from 'next/server';
import { authProxy } from './lib/auth';
import { env } from './lib/env';
import { applyStrictTransportSecurity } from './lib/transport-security';

/**
 * Protected pages pass through validateSession here, renewed before they render
 * (lib/auth/page-proxy.ts). Their answers carry HSTS decided from this process's APP_URL
 * (next.config.mjs adds it to the other responses of a request that came over https).
 */
export async function proxy(request: NextRequest): Promise<NextResponse> {
  const response = await authProxy(request);
  applyStrictTransportSecurity(response.headers, env().appUrl);
  return response;
}

// Every page except the public ones (/, /signin, /status) and what is not a page: API
// routes validate in their handlers, /auth/* are the sign-in routes themselves, and
// /_next/* and the icons are static. Public pages are excluded as exact paths (plus the
// .rsc / .segments forms Next.js matches a page by, see lib/auth/proxy-matcher.test.ts) and
// the rest as whole segments, so a new page — /statistics, /icons/…, /signin-help — is
// protected without touching this list.
export const config = {
  matcher: ['/((?!(?:signin|status|icon|icon\\.svg|favicon\\.ico)(?:\\.json|\\.rsc|\\.segments/.+\\.segment\\.rsc)?$|(?:api|auth|_next)(?:/|$)).+)'],
};
