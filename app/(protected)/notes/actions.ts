'use server';

import { redirect } from 'next/navigation';
import { isAuthError, requireActionSession } from '@/lib/auth';
import { addNote } from '@/lib/notes-api';

/**
 * Adds a note through the notes API with the person's access token (renewed first when
 * due; renewed once more if the API refuses it). Works with JavaScript off: the form
 * posts, and the answer is a redirect back to /notes saying what happened. A post from
 * another site is refused (requireActionSession) before anything is done.
 */
export async function addNoteAction(form: FormData): Promise<void> {
  const text = String(form.get('text') ?? '').trim();
  if (!text || text.length > 500) redirect('/notes?status=invalid');
  let status: string;
  try {
    const session = await requireActionSession();
    const outcome = await addNote(session.tokens.accessToken, text);
    status = outcome.ok ? 'added' : outcome.error;
  } catch (error) {
    if (isAuthError(error, 'unauthenticated')) redirect(`/signin?${new URLSearchParams({ returnTo: '/notes', reason: error.reason ?? 'signin' })}`);
    if (isAuthError(error, 'unavailable')) status = 'idp_unavailable';
    else throw error;
  }
  redirect(`/notes?status=${status}`);
}
