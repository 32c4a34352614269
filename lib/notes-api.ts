import 'server-only';
import { AuthError, getAccessToken } from './auth';
import { env } from './env';

/**
 * The notes API (resource/), called with the person's access token. Used by the notes
 * page (server-side), the BFF route /api/upstream/notes, and the add-note server action.
 */
export interface Note {
  readonly id: string;
  readonly text: string;
  readonly createdAt: string;
}

/** What a call came to. `refused`: the API turned down a freshly renewed token too. */
export type NotesOutcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: 'refused' | 'unavailable' | 'bad_request' | 'not_configured'; readonly status: number };

const TIMEOUT_MS = 5000;

function notesUrl(): URL | undefined {
  const base = env().notesApiUrl;
  return base ? new URL(`${base.pathname.replace(/\/$/, '')}/notes`, base) : undefined;
}

async function request(accessToken: string, init: { method: 'GET' } | { method: 'POST'; text: string }): Promise<Response> {
  return fetch(notesUrl()!, {
    method: init.method,
    headers: { authorization: `Bearer ${accessToken}`, ...(init.method === 'POST' ? { 'content-type': 'application/json' } : {}) },
    body: init.method === 'POST' ? JSON.stringify({ text: init.text }) : undefined,
    signal: AbortSignal.timeout(TIMEOUT_MS),
    cache: 'no-store',
  });
}

async function outcome<T>(response: Response, read: (body: unknown) => T): Promise<NotesOutcome<T>> {
  if (response.ok) return { ok: true, value: read(await response.json()) };
  if (response.status === 401 || response.status === 403) return { ok: false, error: 'refused', status: response.status };
  if (response.status === 400) return { ok: false, error: 'bad_request', status: 400 };
  return { ok: false, error: 'unavailable', status: response.status };
}

/**
 * Calls the API with `accessToken`. For code that can write cookies, `renewOnRefusal`
 * answers a 401 with one coordinated renewal and one retry: the API may know the token is
 * dead before our clock does (revoked, signing key rotated).
 */
async function call<T>(
  accessToken: string,
  init: Parameters<typeof request>[1],
  read: (body: unknown) => T,
  renewOnRefusal: boolean,
): Promise<NotesOutcome<T>> {
  if (!notesUrl()) return { ok: false, error: 'not_configured', status: 501 };
  try {
    let response = await request(accessToken, init);
    if (response.status === 401 && renewOnRefusal) response = await request(await getAccessToken({ forceRefresh: true }), init);
    return await outcome(response, read);
  } catch (error) {
    if (error instanceof AuthError) throw error;
    console.error('renewal: the notes API could not be reached:', error instanceof Error ? error.message : error);
    return { ok: false, error: 'unavailable', status: 502 };
  }
}

const readNotes = (body: unknown) => (body as { notes: Note[] }).notes;
const readNote = (body: unknown) => (body as { note: Note }).note;

/** The person's notes. From a Server Component pass `renewOnRefusal: false`: it cannot write cookies. */
export function listNotes(accessToken: string, renewOnRefusal = true): Promise<NotesOutcome<Note[]>> {
  return call(accessToken, { method: 'GET' }, readNotes, renewOnRefusal);
}

export function addNote(accessToken: string, text: string): Promise<NotesOutcome<Note>> {
  return call(accessToken, { method: 'POST', text }, readNote, true);
}
