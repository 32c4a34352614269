import 'server-only';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { checkRequestReadOnly, readLiveSession } from '../refresh/runtime';
import type { SessionData } from '../session-payload';
import { logServiceFailure } from './session-failure';

/**
 * The session of the page being rendered, checked again close to the data (Next.js's
 * guidance since the proxy-bypass advisory CVE-2025-29927): the seal, the lifetimes, the
 * registry's verdict, an access token not expired. Read-only — Server Components cannot
 * set cookies, so renewing is the proxy's job, done before this render starts. Anything
 * wrong sends the person to sign in with the reason, and back to `returnTo` after; a
 * database that does not answer, to a 503 "try again" page (/auth/unavailable).
 *
 * @example
 * const session = await requireSession('/notes');
 */
export async function requireSession(returnTo: string): Promise<SessionData> {
  const verdict = await checkRequestReadOnly(await cookies()).catch((error: unknown) => {
    logServiceFailure('checking the session of a page', error);
    return undefined;
  });
  // The database stopped answering after the proxy let the request through, and this
  // process holds no recent verdict to judge by: "try again" (a 503), never a 500.
  if (!verdict) redirect(`/auth/unavailable?${new URLSearchParams({ returnTo })}`);
  if (verdict.ok) return verdict.session;
  redirect(`/signin?${new URLSearchParams({ returnTo, reason: verdict.reason })}`);
}

/** Who is signed in, as the page's header shows it. */
export interface SignedInPerson {
  readonly name: string;
}

/**
 * The person whose live session this browser holds, for the header of every page —
 * public ones too, which the proxy does not renew, so the access token may have expired.
 * Never redirects, and never admits anything: protected pages call requireSession.
 * Throws when the registry cannot be read: "nobody" would be a guess.
 *
 * @example
 * const person = await signedInPerson();
 */
export async function signedInPerson(): Promise<SignedInPerson | undefined> {
  const session = await readLiveSession(await cookies());
  return session ? { name: session.name ?? session.sub } : undefined;
}
