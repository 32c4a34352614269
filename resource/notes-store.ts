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

/** Notes by owner (the access token's `sub`): every method sees one person's notes only. */
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

  /** Removes `subject`'s note `id`. False when `subject` has no such note, whoever else might. */
  remove(subject: string, id: string): boolean {
    const notes = this.list(subject);
    const kept = notes.filter((note) => note.id !== id);
    if (kept.length === notes.length) return false;
    this.notes.set(subject, kept);
    return true;
  }
}
