import { NextResponse } from 'next/server';
import { withSession } from '@/lib/auth';

/** GET /api/me — the signed-in person and when the session's access token expires. */
export const GET = withSession(async (_request, { session }) =>
  NextResponse.json({
    user: { sub: session.sub, name: session.name ?? null, email: session.email ?? null },
    session: { expiresAt: session.tokens.expiresAt, tokenVersion: session.tokenVersion },
  }),
);
