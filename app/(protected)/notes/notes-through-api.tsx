'use client';

import { useCallback, useEffect, useState } from 'react';

interface Note {
  id: string;
  text: string;
}

const FAILURE_TEXT: Record<number, string> = {
  401: 'Your session is over or was refused. Reload the page to sign in again.',
  502: 'The notes service is not answering right now. Try again in a moment.',
  503: 'Your session cannot be renewed right now. Try again in a moment.',
};

/**
 * The same notes as the browser reaches them: through /api/upstream/notes, which adds the
 * access token the browser never sees.
 */
export function NotesThroughApi() {
  const [notes, setNotes] = useState<Note[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [text, setText] = useState('');

  const load = useCallback(async () => {
    const response = await fetch('/api/upstream/notes', { cache: 'no-store' });
    if (!response.ok) return setProblem(FAILURE_TEXT[response.status] ?? `The request failed (${response.status}).`);
    setProblem(null);
    setNotes(((await response.json()) as { notes: Note[] }).notes);
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  async function add(event: React.FormEvent) {
    event.preventDefault();
    const response = await fetch('/api/upstream/notes', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) });
    if (!response.ok) return setProblem(FAILURE_TEXT[response.status] ?? `The note was not saved (${response.status}).`);
    setText('');
    await load();
  }

  return (
    <div className="card">
      <h2>Through the browser's API</h2>
      <p className="muted">Fetched by this page from /api/upstream/notes.</p>
      {problem && (
        <p className="notice" role="alert">
          {problem}
        </p>
      )}
      <ul data-testid="api-notes" aria-busy={notes === null}>
        {(notes ?? []).map((note) => (
          <li key={note.id}>{note.text}</li>
        ))}
      </ul>
      <form onSubmit={add}>
        <label htmlFor="api-note-text">New note (through the API)</label>{' '}
        <input id="api-note-text" value={text} onChange={(event) => setText(event.target.value)} maxLength={500} required />{' '}
        <button type="submit">Add through the API</button>
      </form>
    </div>
  );
}
