import 'server-only';
import { AuthError, getSession, resourceAuthorization, type SessionData } from './auth';
import { env } from './env';
import { outboundFetch } from './telemetry/outbound-fetch';

/**
 * The notes API (resource/), called with the person's access token. Used by the notes
 * page (server-side), the BFF routes under /api/upstream/notes, and the notes page's
 * server actions.
 */
export interface Note {
  readonly id: string;
  readonly text: string;
  readonly createdAt: string;
}

/**
 * What a call came to. `refused`: the API turned down a freshly renewed token too.
 * `not_found`: the note to delete is not (or no longer) among the person's notes.
 */
export type NotesOutcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: NotesError; readonly status: number };

export type NotesError = 'refused' | 'unavailable' | 'bad_request' | 'not_found' | 'not_configured';

/** What a change to the notes came to, as the notes page's `?status=` names it. */
export type NoteChangeStatus = 'added' | 'deleted' | 'invalid' | Exclude<NotesError, 'bad_request'>;

/** The `?status=` of an add or a delete: the page checked the input first, so the API refusing it is still the person's input. */
export function noteChangeStatus(outcome: NotesOutcome<unknown>, done: 'added' | 'deleted'): NoteChangeStatus {
  if (outcome.ok) return done;
  return outcome.error === 'bad_request' ? 'invalid' : outcome.error;
}

type NotesRequest = { readonly method: 'GET' } | { readonly method: 'POST'; readonly text: string } | { readonly method: 'DELETE'; readonly id: string };

const TIMEOUT_MS = 5000;

/** `…/notes`, or `…/notes/<id>` for one note. */
function notesUrl(id?: string): URL | undefined {
  const base = env().notesApiUrl;
  if (!base) return undefined;
  const notes = `${base.pathname.replace(/\/$/, '')}/notes`;
  return new URL(id === undefined ? notes : `${notes}/${encodeURIComponent(id)}`, base);
}

/** Traced (lib/telemetry/outbound-fetch.ts); the span is named by route, one name for every note. */
const notesFetch = outboundFetch('api', (url) => (url.pathname.endsWith('/notes') ? 'notes' : 'notes/{id}'));

/** The session's access token, as the API takes it: bearer, or DPoP-bound with a proof for this very call. */
type Caller = Pick<SessionData, 'tokens' | 'dpopKey'>;

async function request(caller: Caller, init: NotesRequest): Promise<Response> {
  const body = init.method === 'POST' ? JSON.stringify({ text: init.text }) : undefined;
  const url = notesUrl(init.method === 'DELETE' ? init.id : undefined)!;
  return notesFetch(url.href, {
    method: init.method,
    headers: { ...(await resourceAuthorization(caller, init.method, url)), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body,
    signal: AbortSignal.timeout(TIMEOUT_MS),
    cache: 'no-store',
  });
}

async function outcome<T>(response: Response, init: NotesRequest, read: (body: unknown) => T): Promise<NotesOutcome<T>> {
  if (response.ok) return { ok: true, value: read(response.status === 204 ? undefined : await response.json()) };
  if (response.status === 401 || response.status === 403) return { ok: false, error: 'refused', status: response.status };
  if (response.status === 400) return { ok: false, error: 'bad_request', status: 400 };
  // Only a note's own URL can be missing; /notes missing means a misconfigured NOTES_API_URL.
  if (response.status === 404 && init.method === 'DELETE') return { ok: false, error: 'not_found', status: 404 };
  return { ok: false, error: 'unavailable', status: response.status };
}

/**
 * Calls the API with the caller's access token. For code that can write cookies, `renewOnRefusal`
 * answers a 401 with one coordinated renewal and one retry: the API may know the token is
 * dead before our clock does (revoked, signing key rotated). Retrying is safe for every
 * method: a refused request changed nothing.
 */
async function call<T>(caller: Caller, init: NotesRequest, read: (body: unknown) => T, renewOnRefusal: boolean): Promise<NotesOutcome<T>> {
  if (!notesUrl()) return { ok: false, error: 'not_configured', status: 501 };
  try {
    let response = await request(caller, init);
    if (response.status === 401 && renewOnRefusal) response = await request(await getSession({ forceRefresh: true }), init);
    return await outcome(response, init, read);
  } catch (error) {
    if (error instanceof AuthError) throw error;
    console.error('renewal: the notes API could not be reached:', error instanceof Error ? error.message : error);
    return { ok: false, error: 'unavailable', status: 502 };
  }
}

const readNotes = (body: unknown) => (body as { notes: Note[] }).notes;
const readNote = (body: unknown) => (body as { note: Note }).note;
const readNothing = () => undefined;

/** The person's notes, newest first. From a Server Component pass `renewOnRefusal: false`: it cannot write cookies. */
export function listNotes(caller: Caller, renewOnRefusal = true): Promise<NotesOutcome<Note[]>> {
  return call(caller, { method: 'GET' }, readNotes, renewOnRefusal);
}

/** Adds a note (1 to 500 characters, trimmed by the API). */
export function addNote(caller: Caller, text: string): Promise<NotesOutcome<Note>> {
  return call(caller, { method: 'POST', text }, readNote, true);
}

/** Deletes the person's note `id`; `not_found` if they have none with that id (any more). */
export function deleteNote(caller: Caller, id: string): Promise<NotesOutcome<void>> {
  return call(caller, { method: 'DELETE', id }, readNothing, true);
}
