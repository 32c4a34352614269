'use server';

import { redirect } from 'next/navigation';
import { logServiceFailure, requireActionSession, sessionFailure, signInPath } from '@/lib/auth';
import { addNote } from '@/lib/notes-api';

/**
 * Adds a note through the notes API with the person's access token (renewed first when
 * due; renewed once more if the API refuses it). Works with JavaScript off: the form
 * posts, and the answer is a redirect back to /notes saying what happened. A post from
 * another site is refused (requireActionSession) before anything is done. When the IdP or
 * our database does not answer, the person is told to try again and stays signed in.
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
    const failure = sessionFailure(error);
    if (failure.kind === 'signin') redirect(signInPath(failure.reason, '/notes'));
    if (failure.cause === 'service') logServiceFailure('adding a note', error);
    status = failure.cause === 'idp' ? 'idp_unavailable' : 'service_unavailable';
  }
  redirect(`/notes?status=${status}`);
}
