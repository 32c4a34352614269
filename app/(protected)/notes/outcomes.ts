import type { NoteChangeStatus, NotesError } from '@/lib/notes-api';

/** How a message looks and how it is announced: `error` is an alert, the others a status. */
export type Tone = 'success' | 'info' | 'error';

export interface Outcome {
  readonly tone: Tone;
  readonly text: string;
}

/** What a server action reports back, as `/notes?status=…` (scripts/soak reads `added` and the `*unavailable`s). */
export type ActionStatus = NoteChangeStatus | 'idp_unavailable' | 'service_unavailable';

const ACTION_OUTCOMES: Record<ActionStatus, Outcome> = {
  added: { tone: 'success', text: 'Note added.' },
  deleted: { tone: 'success', text: 'Note deleted.' },
  not_found: { tone: 'info', text: 'That note was already gone (deleted in another tab?). Nothing changed.' },
  invalid: { tone: 'error', text: 'A note needs 1 to 500 characters.' },
  refused: { tone: 'error', text: 'The notes service refused your access, even after renewing it. Nothing changed. Try signing out and in again.' },
  unavailable: { tone: 'error', text: 'The notes service is not answering right now. Nothing changed; try again in a moment.' },
  idp_unavailable: { tone: 'error', text: 'Your session needs renewing but the identity provider cannot be reached. Nothing changed; try again in a moment.' },
  service_unavailable: { tone: 'error', text: 'Renewal cannot reach its database right now. Nothing changed; try again in a moment. You are still signed in.' },
  not_configured: { tone: 'error', text: 'No notes service is configured (NOTES_API_URL).' },
};

/** The outcome a `status` query parameter names, if it names one. */
export function actionOutcome(status: string | string[] | undefined): Outcome | undefined {
  return typeof status === 'string' && Object.hasOwn(ACTION_OUTCOMES, status) ? ACTION_OUTCOMES[status as ActionStatus] : undefined;
}

/** Why the notes could not be shown. */
export const READ_FAILURES: Record<NotesError, string> = {
  refused: 'The notes service refused your access token. Reload the page; if it happens again, sign out and in again.',
  unavailable: 'The notes service is not answering right now, so your notes cannot be shown. Try again in a moment.',
  not_configured: 'No notes service is configured (NOTES_API_URL).',
  bad_request: 'The notes service did not understand the request.',
  not_found: 'The notes service could not find your notes.',
};

/** What an answer of the BFF route (/api/upstream/notes) means to the person. */
export function bffOutcome(status: number): Outcome {
  switch (status) {
    case 400:
      return ACTION_OUTCOMES.invalid;
    case 401:
      return { tone: 'error', text: 'Your session is over or was refused. Reload the page to sign in again.' };
    case 404:
      return ACTION_OUTCOMES.not_found;
    case 502:
      return ACTION_OUTCOMES.unavailable;
    case 503:
      return { tone: 'error', text: 'Your session cannot be renewed right now. Try again in a moment.' };
    default:
      return { tone: 'error', text: `The request failed (${status}).` };
  }
}
