import 'server-only';
import { z } from 'zod';
import { endOtherOwnSessions, requireRecentAuthentication, type SessionData, type StepUpGate } from './auth';
import { deleteNote, noteChangeStatus } from './notes-api';

/**
 * The actions that need a recent authentication (step-up, lib/auth/entry/step-up.ts):
 * ending every other session of the person, and deleting a note. Each runs at once when
 * the session's authentication is recent enough; otherwise it is kept, the person
 * confirms who they are at the IdP, and the callback finishes it here.
 */
const sensitiveActionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('end_other_sessions') }),
  z.object({ kind: z.literal('delete_note'), id: z.string().min(1).max(200) }),
]);
export type SensitiveAction = z.infer<typeof sensitiveActionSchema>;

/** The page each action is offered on, where its outcome is shown (`?status=`). */
const PAGE: Record<SensitiveAction['kind'], string> = {
  end_other_sessions: '/sessions',
  delete_note: '/notes',
};

/** Does `action` for `session`; answers the page to show next, with its `?status=`. */
async function perform(action: SensitiveAction, session: SessionData): Promise<string> {
  switch (action.kind) {
    case 'end_other_sessions': {
      const ended = await endOtherOwnSessions(session);
      return `/sessions?status=ended_others&count=${ended}`;
    }
    case 'delete_note':
      return `/notes?status=${noteChangeStatus(await deleteNote(session, action.id), 'deleted')}`;
  }
}

/** What became of a sensitive action asked for now: done (the page to show), or waiting for a step-up (where to send the person). */
export type SensitiveOutcome = { readonly done: true; readonly next: string } | { readonly done: false; readonly stepUpPath: string };

/**
 * Runs `action` if the session's authentication is recent enough, else keeps it for the
 * step-up. Throws what the session check throws (AuthError), like the actions it serves.
 */
export async function runSensitiveAction(session: SessionData, action: SensitiveAction): Promise<SensitiveOutcome> {
  const gate = await sensitiveActionGate(session, action);
  return gate.recent ? { done: true, next: await perform(action, session) } : { done: false, stepUpPath: gate.stepUpPath };
}

/** The step-up gate alone, for callers that answer the action's outcome themselves (the BFF's JSON). */
export function sensitiveActionGate(session: SessionData, action: SensitiveAction): Promise<StepUpGate> {
  return requireRecentAuthentication(session, action, PAGE[action.kind]);
}

/** The callback's finisher of a kept action: it was kept by runSensitiveAction, so only a tampered row fails to parse. */
export async function finishSensitiveAction(kept: unknown, session: SessionData): Promise<string> {
  const parsed = sensitiveActionSchema.safeParse(kept);
  if (!parsed.success) {
    console.error('renewal: a kept sensitive action could not be read; nothing was done');
    return '/dashboard';
  }
  return perform(parsed.data, session);
}
