import { NextResponse } from 'next/server';

/**
 * A liveness answer. Served twice: `/status` (public, for load balancers) and
 * `/api/status` (behind the proxy, so it answers only to a valid session); being the
 * same handler, the two measure the proxy's cost exactly (`npm run bench`).
 */
export function statusResponse(): NextResponse {
  return NextResponse.json({ ok: true }, { headers: { 'Cache-Control': 'no-store' } });
}
