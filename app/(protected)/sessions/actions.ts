'use server';

import { redirect } from 'next/navigation';
import { endOtherOwnSessions, endOwnSession, logServiceFailure, requireActionSession, sessionFailure, signInPath } from '@/lib/auth';

/**
 * Where a failed action goes: sign-in with the reason, or back with "try again" — the IdP
 * could not renew the session, or our database did not answer (the person stays signed in).
 */
function failed(error: unknown): never {
  const failure = sessionFailure(error);
  if (failure.kind === 'signin') redirect(signInPath(failure.reason, '/sessions'));
  if (failure.cause === 'service') logServiceFailure('signing out a session from /sessions', error);
  redirect(`/sessions?status=${failure.cause === 'idp' ? 'unavailable' : 'service_unavailable'}`);
}

/** Signs out one of the person's other sessions (another device). */
export async function endSessionAction(form: FormData): Promise<void> {
  let ended: boolean;
  try {
    const session = await requireActionSession();
    ended = await endOwnSession(session, String(form.get('session') ?? ''));
  } catch (error) {
    failed(error);
  }
  redirect(`/sessions?status=${ended ? 'ended' : 'not_found'}`);
}

/** Signs out every other session of the person. */
export async function endOtherSessionsAction(): Promise<void> {
  let ended: number;
  try {
    const session = await requireActionSession();
    ended = await endOtherOwnSessions(session);
  } catch (error) {
    failed(error);
  }
  redirect(`/sessions?status=ended_others&count=${ended}`);
}
