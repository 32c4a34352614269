'use server';

import { redirect } from 'next/navigation';
import { endOwnSession, logServiceFailure, requireActionSession, sessionFailure, signInPath } from '@/lib/auth';
import { runSensitiveAction, type SensitiveOutcome } from '@/lib/sensitive-actions';

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

/**
 * Signs out every other session of the person: a sensitive action, so an authentication
 * older than STEP_UP_MAX_AGE goes by the IdP first (lib/sensitive-actions.ts).
 */
export async function endOtherSessionsAction(): Promise<void> {
  let outcome: SensitiveOutcome;
  try {
    outcome = await runSensitiveAction(await requireActionSession(), { kind: 'end_other_sessions' });
  } catch (error) {
    failed(error);
  }
  redirect(outcome.done ? outcome.next : outcome.stepUpPath);
}
