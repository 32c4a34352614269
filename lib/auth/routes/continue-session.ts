import 'server-only';
import { type NextRequest, NextResponse } from 'next/server';
import { db } from '../../db';
import { env } from '../../env';
import { sessionCookieWrites } from '../cookie/sealed-cookie';
import type { SignedIn } from '../idp/oidc';
import { publishReauthentication } from '../refresh/coordination';
import { cookieSettings, sealForCookie } from '../refresh/runtime';
import { audit, updateUserProfile } from '../registry/registry';
import { absoluteExpiry, changedClaims, identityClaims, type SessionData } from '../session-payload';

/** A 303 to `path` that gives the browser `session`'s cookie: the end of every sign-in, re-authentication and step-up. */
export async function redirectWithSession(path: string, session: SessionData, request: NextRequest, now: number): Promise<NextResponse> {
  const config = env();
  const response = NextResponse.redirect(new URL(path, config.appUrl), 303);
  const maxAge = absoluteExpiry(session, config.session) - now;
  for (const write of sessionCookieWrites(await sealForCookie(session), request.cookies, cookieSettings(), maxAge)) {
    response.cookies.set(write.name, write.value, write.options);
  }
  return response;
}

/** What a sign-in says of a session, new or continued: the person, their authentication, the tokens and their key. */
export function signedInFields(signedIn: SignedIn, now: number): Pick<SessionData, 'name' | 'email' | 'claimsAt' | 'authTime' | 'acr' | 'dpopKey' | 'tokens'> {
  return { name: signedIn.name, email: signedIn.email, claimsAt: now, authTime: signedIn.authTime, acr: signedIn.acr, dpopKey: signedIn.dpopKey, tokens: signedIn.tokens };
}

/**
 * Continues the browser's live session `previous` with a new authorization of the same
 * person — a silent re-authentication, a step-up — as its next token generation, so its
 * other requests and tabs adopt the new tokens, name and authentication instead of being
 * signed out. Undefined when that session is no longer alive.
 */
export async function continueSession(previous: SessionData, signedIn: SignedIn, now: number): Promise<SessionData | undefined> {
  const continued: Omit<SessionData, 'tokenVersion'> = { ...previous, ...signedInFields(signedIn, now) };
  // The registry's copy carries what the IdP said now, for the requests that adopt it.
  const published = { ...signedIn.tokens, claims: identityClaims(continued) };
  const tokenVersion = await publishReauthentication(db(), previous.sid, published, now, env().session.graceSec, cookieSettings(), previous.tokenVersion);
  if (tokenVersion === undefined) return undefined;
  // The ID token may name the person differently now, as a renewal's may.
  const changed = changedClaims(previous, signedIn);
  if (changed.length > 0) {
    await updateUserProfile(previous.userId, { name: signedIn.name, email: signedIn.email });
    await audit({ type: 'profile_updated', sessionId: previous.sid, userId: previous.userId, reason: changed.join(', ') });
  }
  return { ...continued, tokenVersion };
}
