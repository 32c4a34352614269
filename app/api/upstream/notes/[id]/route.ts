import { NextResponse } from 'next/server';
import { withSession } from '@/lib/auth';
import { deleteNote } from '@/lib/notes-api';
import { sensitiveActionGate } from '@/lib/sensitive-actions';
import { answer, ERRORS } from '../answer';

/**
 * /api/upstream/notes/:id — DELETE removes one of the person's notes (204), through the
 * notes API with the access token the browser never sees; 404 if they have no such note.
 * A sensitive action: with an authentication older than STEP_UP_MAX_AGE it is kept, and
 * the answer is 403 `step_up_required` with the `location` to send the person to; the
 * delete is finished when they come back from the IdP.
 */
export const DELETE = withSession(async (_request, { session }, { params }: { params: Promise<{ id: string }> }) => {
  const { id } = await params;
  if (id.length > 200) return NextResponse.json(ERRORS.not_found.body, { status: ERRORS.not_found.status });
  const gate = await sensitiveActionGate(session, { kind: 'delete_note', id });
  if (!gate.recent) {
    return NextResponse.json({ error: 'forbidden', reason: 'step_up_required', location: gate.stepUpPath }, { status: 403, headers: { 'Cache-Control': 'private, no-store' } });
  }
  return answer(() => deleteNote(session, id), () => new NextResponse(null, { status: 204 }));
});
