import { NextResponse } from 'next/server';
import { withSession } from '@/lib/auth';
import { deleteNote } from '@/lib/notes-api';
import { answer } from '../answer';

/**
 * /api/upstream/notes/:id — DELETE removes one of the person's notes (204), through the
 * notes API with the access token the browser never sees; 404 if they have no such note.
 */
export const DELETE = withSession(async (_request, { session }, { params }: { params: Promise<{ id: string }> }) => {
  const { id } = await params;
  return answer(() => deleteNote(session.tokens.accessToken, id), () => new NextResponse(null, { status: 204 }));
});
