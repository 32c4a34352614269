import { type NextRequest, NextResponse } from 'next/server';
import { withSession } from '@/lib/auth';
import { addNote, listNotes } from '@/lib/notes-api';
import { answer, ERRORS } from './answer';

/**
 * /api/upstream/notes — the notes API seen from the browser (the backend-for-frontend
 * "remote API" pattern): the browser never holds the access token; this route adds it.
 */
export const GET = withSession((_request, { session }) => answer(() => listNotes(session), (notes) => NextResponse.json({ notes })));

export const POST = withSession(async (request: NextRequest, { session }) => {
  const body = (await request.json().catch(() => undefined)) as { text?: unknown } | undefined;
  const text = typeof body?.text === 'string' ? body.text.trim() : '';
  if (!text || text.length > 500) return NextResponse.json(ERRORS.bad_request.body, { status: ERRORS.bad_request.status });
  return answer(() => addNote(session, text), (note) => NextResponse.json({ note }, { status: 201 }));
});
