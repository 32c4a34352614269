import { NextResponse } from 'next/server';
import { logServiceFailure, signedInPerson, unavailableJson } from '@/lib/auth';

/** Never cached anywhere: the answer is this browser's and changes with every sign-in and sign-out. */
const PRIVATE = { 'Cache-Control': 'private, no-store' };

/**
 * GET /api/whoami — who this browser is signed in as, for the header (app/account-menu.tsx):
 * `{ person: { name } }` or `{ person: null }`, both 200, so a signed-out visitor's
 * header check is not an error. Read-only: it renews nothing and writes no cookie. When
 * the registry cannot be read, 503: the header keeps what it showed rather than guess.
 */
export async function GET(): Promise<NextResponse> {
  try {
    return NextResponse.json({ person: (await signedInPerson()) ?? null }, { headers: PRIVATE });
  } catch (error) {
    logServiceFailure('checking who is signed in for the header', error);
    return unavailableJson('service');
  }
}
