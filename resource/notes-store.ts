import { randomUUID } from 'node:crypto';

/** A person's notes, kept in memory: the demo data the app reads and writes with its access token. */
export interface Note {
  readonly id: string;
  readonly text: string;
  readonly createdAt: string;
}

const MAX_NOTES_PER_PERSON = 100;
const MAX_PEOPLE = 10_000;
export const MAX_NOTE_LENGTH = 500;

export class NotesStore {
  private readonly notes = new Map<string, Note[]>();

  list(subject: string): readonly Note[] {
    return this.notes.get(subject) ?? [];
  }

  /** Adds a note at the top; the oldest ones fall off past MAX_NOTES_PER_PERSON. */
  add(subject: string, text: string): Note {
    const note: Note = { id: randomUUID(), text, createdAt: new Date().toISOString() };
    if (!this.notes.has(subject) && this.notes.size >= MAX_PEOPLE) this.notes.delete(this.notes.keys().next().value!);
    this.notes.set(subject, [note, ...this.list(subject)].slice(0, MAX_NOTES_PER_PERSON));
    return note;
  }
}
