'use server';

import { redirect } from 'next/navigation';
import { endOtherOwnSessions, endOwnSession, isAuthError, requireActionSession } from '@/lib/auth';

/** Where a refused action goes: sign-in with the reason, or back with "try again". */
function refused(error: unknown): never {
  if (isAuthError(error, 'unauthenticated')) redirect(`/signin?${new URLSearchParams({ returnTo: '/sessions', reason: error.reason ?? 'signin' })}`);
  if (isAuthError(error, 'unavailable')) redirect('/sessions?status=unavailable');
  throw error;
}

/** Signs out one of the person's other sessions (another device). */
export async function endSessionAction(form: FormData): Promise<void> {
  const session = await requireActionSession().catch(refused);
  const ended = await endOwnSession(session, String(form.get('session') ?? ''));
  redirect(`/sessions?status=${ended ? 'ended' : 'not_found'}`);
}

/** Signs out every other session of the person. */
export async function endOtherSessionsAction(): Promise<void> {
  const session = await requireActionSession().catch(refused);
  const ended = await endOtherOwnSessions(session);
  redirect(`/sessions?status=ended_others&count=${ended}`);
}
