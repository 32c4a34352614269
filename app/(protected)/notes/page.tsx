import { redirect } from 'next/navigation';
import { requireSession } from '@/lib/auth';
import { listNotes } from '@/lib/notes-api';
import { addNoteAction } from './actions';
import { NotesThroughApi } from './notes-through-api';

/** What each outcome of adding a note means to the person. */
const STATUS_TEXT: Record<string, string> = {
  added: 'Note added.',
  invalid: 'A note needs 1 to 500 characters.',
  refused: 'The notes service refused your access, even after renewing it. Try signing out and in again.',
  unavailable: 'The notes service is not answering right now. Your note was not saved; try again in a moment.',
  idp_unavailable: 'Your session needs renewing but the identity provider cannot be reached. Your note was not saved; try again in a moment.',
  service_unavailable: 'Renewal cannot reach its database right now. Your note was not saved; try again in a moment. You are still signed in.',
  not_configured: 'No notes service is configured (NOTES_API_URL).',
};

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/**
 * Notes read server-side with the access token (the proxy renewed it before this render).
 * If the notes API refuses it anyway, /auth/renew renews once and comes back here.
 */
export default async function NotesPage({ searchParams }: { searchParams: SearchParams }) {
  const session = await requireSession('/notes');
  const params = await searchParams;
  const notes = await listNotes(session.tokens.accessToken, false);
  if (!notes.ok && notes.error === 'refused' && params.renewed === undefined) redirect('/auth/renew?returnTo=%2Fnotes%3Frenewed%3D1');
  const status = typeof params.status === 'string' ? STATUS_TEXT[params.status] : undefined;

  return (
    <>
      <div className="card">
        <h1>Your notes</h1>
        <p className="muted">Read on the server with your access token, from the notes API (a separate service that checks the token itself).</p>
        {status && (
          <p className="notice" role="status" data-testid="notes-status">
            {status}
          </p>
        )}
        {notes.ok ? (
          notes.value.length ? (
            <ul data-testid="server-notes">
              {notes.value.map((note) => (
                <li key={note.id}>{note.text}</li>
              ))}
            </ul>
          ) : (
            <p data-testid="server-notes">No notes yet.</p>
          )
        ) : (
          <p className="notice" role="alert" data-testid="server-notes-error">
            {STATUS_TEXT[notes.error]}
          </p>
        )}
        <form action={addNoteAction}>
          <label htmlFor="note-text">New note</label>{' '}
          <input id="note-text" name="text" maxLength={500} required />{' '}
          <button type="submit">Add note</button>
        </form>
      </div>
      <NotesThroughApi />
    </>
  );
}
