import 'server-only';
import { NextResponse } from 'next/server';
import { isAuthError, unavailableJson } from '@/lib/auth';
import type { NotesError, NotesOutcome } from '@/lib/notes-api';

/**
 * How the BFF routes under /api/upstream/notes answer a notes API call. The notes API
 * refusing a renewed token → 401; the notes API failing → 502, session kept.
 */
export const ERRORS: Record<NotesError, { status: number; body: { error: string; reason: string } }> = {
  refused: { status: 401, body: { error: 'unauthorized', reason: 'upstream_refused' } },
  unavailable: { status: 502, body: { error: 'bad_gateway', reason: 'upstream_unavailable' } },
  bad_request: { status: 400, body: { error: 'invalid_request', reason: 'text must be 1 to 500 characters' } },
  not_found: { status: 404, body: { error: 'not_found', reason: 'no such note' } },
  not_configured: { status: 501, body: { error: 'not_implemented', reason: 'NOTES_API_URL is not configured' } },
};

/** Runs `call` and answers with `ok(value)`, or the JSON error its outcome maps to. */
export async function answer<T>(call: () => Promise<NotesOutcome<T>>, ok: (value: T) => NextResponse): Promise<NextResponse> {
  try {
    const outcome = await call();
    if (outcome.ok) return ok(outcome.value);
    const { status, body } = ERRORS[outcome.error];
    return NextResponse.json(body, { status });
  } catch (error) {
    // The renewal the API's refusal asked for did not work out.
    if (isAuthError(error, 'unavailable')) return unavailableJson('idp');
    if (isAuthError(error, 'unauthenticated')) return NextResponse.json({ error: 'unauthorized', reason: error.reason }, { status: 401 });
    throw error;
  }
}
