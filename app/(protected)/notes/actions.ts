'use server';

import { redirect } from 'next/navigation';
import { logServiceFailure, requireActionSession, sessionFailure, signInPath } from '@/lib/auth';
import { addNote, noteChangeStatus } from '@/lib/notes-api';
import { runSensitiveAction } from '@/lib/sensitive-actions';

/*
 * The notes page's server actions. Each works with JavaScript off: the form posts, and the
 * answer is a redirect back to /notes?status=… saying what happened. A post from another
 * site is refused (requireActionSession) before anything is done; the access token is
 * renewed first when due, and once more if the notes API refuses it. When the IdP or our
 * database does not answer, the person is told to try again and stays signed in.
 */

/** Adds a note through the notes API with the person's access token. */
export async function addNoteAction(form: FormData): Promise<void> {
  const text = String(form.get('text') ?? '').trim();
  if (!text || text.length > 500) redirect('/notes?status=invalid');
  const status = await settle('adding a note', async () => {
    const session = await requireActionSession();
    return noteChangeStatus(await addNote(session, text), 'added');
  });
  redirect(`/notes?status=${status}`);
}

/**
 * Deletes one of the person's notes (the form's `id`) through the notes API: a sensitive
 * action, so an authentication older than STEP_UP_MAX_AGE goes by the IdP first.
 */
export async function deleteNoteAction(form: FormData): Promise<void> {
  const id = String(form.get('id') ?? '');
  const outcome = await settle('deleting a note', async () => {
    // The session first: a post from another site is refused before its input is even read.
    const session = await requireActionSession();
    if (!id || id.length > 200) return 'not_found' as const;
    return runSensitiveAction(session, { kind: 'delete_note', id });
  });
  redirect(typeof outcome === 'string' ? `/notes?status=${outcome}` : outcome.done ? outcome.next : outcome.stepUpPath);
}

/** Runs an action's call; a session that is over sends the person to sign in, one that cannot be checked now asks them to try again. */
async function settle<T>(activity: string, call: () => Promise<T>): Promise<T | 'idp_unavailable' | 'service_unavailable'> {
  try {
    return await call();
  } catch (error) {
    const failure = sessionFailure(error);
    if (failure.kind === 'signin') redirect(signInPath(failure.reason, '/notes'));
    if (failure.cause === 'service') logServiceFailure(activity, error);
    return failure.cause === 'idp' ? 'idp_unavailable' : 'service_unavailable';
  }
}
