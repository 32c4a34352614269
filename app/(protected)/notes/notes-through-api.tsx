'use client';

import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useState } from 'react';
import styles from './notes.module.css';
import { OutcomeNotice } from './outcome-notice';
import { bffOutcome, type Outcome } from './outcomes';

interface Note {
  id: string;
  text: string;
}

/**
 * The same notes as the browser reaches them: through /api/upstream/notes, which adds the
 * access token the browser never sees. `revision` changes whenever the server-rendered
 * list does (a server action ran), so this list reloads with it; a change made here
 * refreshes the server-rendered list in turn: the two never fall out of step.
 */
export function NotesThroughApi({ revision }: { revision: string }) {
  const router = useRouter();
  const [notes, setNotes] = useState<Note[] | null>(null);
  const [outcome, setOutcome] = useState<Outcome | undefined>(undefined);
  const [text, setText] = useState('');

  const load = useCallback(async () => {
    const response = await fetch('/api/upstream/notes', { cache: 'no-store' });
    if (!response.ok) return setOutcome(bffOutcome(response.status));
    setNotes(((await response.json()) as { notes: Note[] }).notes);
  }, []);

  useEffect(() => {
    void load();
  }, [load, revision]);

  /** After a change: say how it went, reload this list and re-render the server's. */
  async function settle(response: Response, success: Outcome) {
    setOutcome(response.ok ? success : bffOutcome(response.status));
    if (response.ok || response.status === 404) {
      await load();
      router.refresh();
    }
  }

  async function add(event: React.FormEvent) {
    event.preventDefault();
    const response = await fetch('/api/upstream/notes', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) });
    if (response.ok) setText('');
    await settle(response, { tone: 'success', text: 'Note added.' });
  }

  async function remove(note: Note) {
    const response = await fetch(`/api/upstream/notes/${encodeURIComponent(note.id)}`, { method: 'DELETE' });
    // A sensitive action: an old sign-in confirms at the IdP first, and the delete is finished on the way back.
    const stepUp = response.status === 403 ? await stepUpPath(response) : undefined;
    if (stepUp) return window.location.assign(stepUp);
    await settle(response, { tone: 'success', text: 'Note deleted.' });
  }

  return (
    <section className="card" aria-labelledby="browser-heading">
      <h2 id="browser-heading">2. From the browser</h2>
      <p className="muted">This list is fetched by the page from /api/upstream/notes, a route of this app that adds your access token on the way to the notes API.</p>
      <OutcomeNotice outcome={outcome} testId="api-notes-status" />
      {notes?.length === 0 ? (
        <p data-testid="api-notes">No notes yet.</p>
      ) : (
        <ul className={styles.list} data-testid="api-notes" aria-busy={notes === null}>
          {(notes ?? []).map((note) => (
            <li key={note.id} className={styles.item}>
              <span className={styles.text}>{note.text}</span>
              <button type="button" className="secondary" onClick={() => void remove(note)}>
                Delete<span className="visually-hidden"> note: {note.text}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={add} className={styles.addForm}>
        <label htmlFor="api-note-text">New note (through the API)</label>
        <div className={styles.row}>
          <input id="api-note-text" value={text} onChange={(event) => setText(event.target.value)} maxLength={500} required />
          <button type="submit">Add through the API</button>
        </div>
      </form>
    </section>
  );
}

/** Where a 403 `step_up_required` answer sends the person: only a path of ours. */
async function stepUpPath(response: Response): Promise<string | undefined> {
  const body = (await response.json().catch(() => undefined)) as { reason?: unknown; location?: unknown } | undefined;
  return body?.reason === 'step_up_required' && typeof body.location === 'string' && body.location.startsWith('/auth/step-up?') ? body.location : undefined;
}
