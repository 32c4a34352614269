import { NextResponse } from 'next/server';
import { getSession } from '@/lib/auth/runtime';

/** GET /api/me — the signed-in person and when the session's access token expires. */
export async function GET() {
  const session = await getSession();
  if (!session) return NextResponse.json({ error: 'unauthorized', reason: 'signin' }, { status: 401 });
  return NextResponse.json(
    {
      user: { sub: session.sub, name: session.name ?? null, email: session.email ?? null },
      session: { expiresAt: session.tokens.expiresAt, tokenVersion: session.tokenVersion },
    },
    { headers: { 'Cache-Control': 'private, no-store' } },
  );
}
