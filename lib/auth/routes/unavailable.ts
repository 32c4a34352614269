import 'server-only';
import { type NextRequest, NextResponse } from 'next/server';
import { unavailablePage, unavailableResponse } from '../entry/notice-page';
import { safeReturnTo } from './return-to';

/**
 * GET /auth/unavailable?returnTo=/path — the 503 "try again" page for a page whose render
 * could not check its session because our database stopped answering after the proxy let
 * the request through (requireSession). A Server Component cannot answer 503 itself:
 * without this it would be a 500. The cookie is kept; "Try again" goes back to the page.
 */
export function handleUnavailable(request: NextRequest): NextResponse {
  const returnTo = safeReturnTo(request.nextUrl.searchParams.get('returnTo'));
  return unavailableResponse(unavailablePage(returnTo, 'service'), 'service', { 'Cache-Control': 'private, no-store' });
}
