import { type NextRequest, NextResponse } from 'next/server';
import { isAuthError, withSession } from '@/lib/auth';
import { addNote, listNotes, type NotesOutcome } from '@/lib/notes-api';

/**
 * /api/upstream/notes — the notes API seen from the browser (the backend-for-frontend
 * "remote API" pattern): the browser never holds the access token; this route adds it.
 * The notes API refusing a renewed token → 401; the notes API failing → 502, session kept.
 */
const ERRORS = {
  refused: { status: 401, body: { error: 'unauthorized', reason: 'upstream_refused' } },
  unavailable: { status: 502, body: { error: 'bad_gateway', reason: 'upstream_unavailable' } },
  bad_request: { status: 400, body: { error: 'invalid_request', reason: 'text must be 1 to 500 characters' } },
  not_configured: { status: 501, body: { error: 'not_implemented', reason: 'NOTES_API_URL is not configured' } },
} as const;

async function answer<T>(call: () => Promise<NotesOutcome<T>>, ok: (value: T) => NextResponse): Promise<NextResponse> {
  try {
    const outcome = await call();
    if (outcome.ok) return ok(outcome.value);
    const { status, body } = ERRORS[outcome.error];
    return NextResponse.json(body, { status });
  } catch (error) {
    // The renewal the API's refusal asked for did not work out.
    if (isAuthError(error, 'unavailable')) return NextResponse.json({ error: 'unavailable', reason: 'idp_unavailable' }, { status: 503, headers: { 'Retry-After': '5' } });
    if (isAuthError(error, 'unauthenticated')) return NextResponse.json({ error: 'unauthorized', reason: error.reason }, { status: 401 });
    throw error;
  }
}

export const GET = withSession((_request, { session }) => answer(() => listNotes(session.tokens.accessToken), (notes) => NextResponse.json({ notes })));

export const POST = withSession(async (request: NextRequest, { session }) => {
  const body = (await request.json().catch(() => undefined)) as { text?: unknown } | undefined;
  const text = typeof body?.text === 'string' ? body.text.trim() : '';
  if (!text || text.length > 500) return NextResponse.json(ERRORS.bad_request.body, { status: 400 });
  return answer(() => addNote(session.tokens.accessToken, text), (note) => NextResponse.json({ note }, { status: 201 }));
});
