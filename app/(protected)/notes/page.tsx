import { redirect } from 'next/navigation';
import { needsStepUp, requireSession, stepUpNotice } from '@/lib/auth';
import { listNotes, type Note } from '@/lib/notes-api';
import { addNoteAction, deleteNoteAction } from './actions';
import styles from './notes.module.css';
import { StepUpHint } from '../step-up-hint';
import { NotesThroughApi } from './notes-through-api';
import { OutcomeNotice } from './outcome-notice';
import { actionOutcome, READ_FAILURES } from './outcomes';

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const single = (value: string | string[] | undefined) => (typeof value === 'string' ? value : undefined);

/**
 * The access token at work: the same notes, read and changed at the notes API two ways —
 * by the server (this page and its server actions) and by the browser (through the BFF
 * route). If the notes API refuses the token while rendering, /auth/renew renews once and
 * comes back here.
 */
export default async function NotesPage({ searchParams }: { searchParams: SearchParams }) {
  const session = await requireSession('/notes');
  const params = await searchParams;
  // Deleting is a sensitive action: with an old sign-in, it goes by the IdP first.
  const stepUp = needsStepUp(session);
  const notes = await listNotes(session, false);
  if (!notes.ok && notes.error === 'refused' && params.renewed === undefined) redirect('/auth/renew?returnTo=%2Fnotes%3Frenewed%3D1');

  return (
    <>
      <div className="card">
        <h1>Notes</h1>
        <p>
          Your notes live in a separate service, the notes API, which checks your access token on every call. This page calls it in the two ways an app can
          use the token it keeps for you, and both show the same notes: a change made one way appears in the other.
        </p>
      </div>

      <section className="card" aria-labelledby="server-heading">
        <h2 id="server-heading">1. From the server</h2>
        <p className="muted">
          The server renders this list, and adding or deleting posts a form to a server action, which renews your token first if it is due. It works with
          JavaScript off.
        </p>
        <OutcomeNotice outcome={actionOutcome(params.status) ?? stepUpNotice(single(params.status))} testId="notes-status" />
        {stepUp && <StepUpHint />}
        {notes.ok ? (
          <ServerNotes notes={notes.value} stepUp={stepUp} />
        ) : (
          <p className="notice error" role="alert" data-testid="server-notes-error">
            {READ_FAILURES[notes.error]}
          </p>
        )}
        <form action={addNoteAction} className={styles.addForm}>
          <label htmlFor="note-text">New note</label>
          <div className={styles.row}>
            <input id="note-text" name="text" maxLength={500} required />
            <button type="submit">Add note</button>
          </div>
        </form>
      </section>

      <NotesThroughApi revision={notes.ok ? notes.value.map((note) => note.id).join(' ') : notes.error} />
    </>
  );
}

/** Each note with its own delete form: a separate form per note, so each posts one id. */
function ServerNotes({ notes, stepUp }: { notes: readonly Note[]; stepUp: boolean }) {
  if (!notes.length) return <p data-testid="server-notes">No notes yet.</p>;
  return (
    <ul className={styles.list} data-testid="server-notes">
      {notes.map((note) => (
        <li key={note.id} className={styles.item}>
          <span className={styles.text}>{note.text}</span>
          <form action={deleteNoteAction}>
            <input type="hidden" name="id" value={note.id} />
            <button type="submit" className="secondary" aria-describedby={stepUp ? 'step-up-hint' : undefined}>
              Delete<span className="visually-hidden"> note: {note.text}</span>
            </button>
          </form>
        </li>
      ))}
    </ul>
  );
}
