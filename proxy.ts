import type { NextRequest, NextResponse } from 'next/server';
import { authProxy } from './lib/auth';
import { env } from './lib/env';
import { applyStrictTransportSecurity } from './lib/transport-security';

/**
 * Protected pages pass through validateSession here, renewed before they render
 * (lib/auth/entry/page-proxy.ts). Their answers carry HSTS decided from this process's APP_URL
 * (next.config.mjs adds it to the other responses of a request that came over https).
 */
export async function proxy(request: NextRequest): Promise<NextResponse> {
  const response = await authProxy(request);
  applyStrictTransportSecurity(response.headers, env().appUrl);
  return response;
}

// The app's own signed-in pages, the folders of app/(protected), and what lies below them
// (Next.js adds their .rsc / .segments forms). Everything else is not the proxy's: public
// pages, the API and /auth/* (which validate in their handlers), static files, and unknown
// paths, which get the 404 page rather than a sign-in. A page added under app/(protected)
// must be added here: lib/auth/entry/proxy-matcher.test.ts fails until it is, and the page's own
// requireSession refuses it to anyone signed out in the meantime.
export const config = {
  matcher: ['/dashboard/:path*', '/notes/:path*', '/sessions/:path*'],
};
