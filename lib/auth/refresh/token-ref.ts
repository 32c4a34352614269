import 'server-only';
import type { Db } from '../../db/client';
import { type CookieSettings, unsealTokens } from '../cookie/sealed-cookie';
import { type SessionData, type SessionReference, withTokens } from '../session-payload';
import { hashRefreshToken } from './coordination';

/**
 * Reference mode: a session whose tokens do not fit in a cookie keeps them in its registry
 * row only (`latestTokens`, which every sign-in and renewal writes anyway); its cookie
 * says which token set it means. Costs one registry read when a process first sees such a
 * cookie (the unseal memo keeps the answer).
 */

/** The reference a cookie carries in place of `session`'s tokens. */
export function referenceTo(session: SessionData): SessionReference {
  const { tokens, ...fields } = session;
  return { ...fields, tokenRef: { refreshTokenHash: tokens.refreshToken ? hashRefreshToken(tokens.refreshToken) : null } };
}

/**
 * The session a reference cookie means, its tokens read from the registry. The row keeps
 * only the newest token set, so this works while the cookie's generation is the current
 * one; the cookie of a replaced generation (or of a row that is gone) comes back as it is,
 * for refresh coordination to judge by the hash it carries: adopt the newest set, or
 * refuse it as superseded. Undefined when the row's token set cannot be opened (the secret
 * that sealed it was dropped): the cookie is then as unreadable as one sealed with it.
 * A database failure throws, for the caller to answer "try again".
 */
export async function resolveReference(db: Db, reference: SessionReference, settings: CookieSettings): Promise<SessionData | SessionReference | undefined> {
  const row = await db.session.findUnique({ where: { id: reference.sid }, select: { tokenVersion: true, latestTokens: true } });
  if (!row?.latestTokens || row.tokenVersion !== reference.tokenVersion) return reference;
  const tokens = await unsealTokens(row.latestTokens, settings);
  if (!tokens) return undefined;
  const hash = tokens.refreshToken ? hashRefreshToken(tokens.refreshToken) : null;
  // The cookie's generation with another token set: never served; refresh coordination refuses it.
  return hash === reference.tokenRef.refreshTokenHash ? withTokens(reference, tokens) : reference;
}

/**
 * A reference cookie's session with the registry's newest token set — whose refresh token
 * is the live one — whatever its generation: for ending the session or continuing it
 * (sign-out, signing in again), never for admitting a request. Undefined when the
 * registry holds no readable token set for it.
 */
export async function withNewestTokens(db: Db, reference: SessionReference, settings: CookieSettings): Promise<SessionData | undefined> {
  const row = await db.session.findUnique({ where: { id: reference.sid }, select: { latestTokens: true } });
  const tokens = row?.latestTokens ? await unsealTokens(row.latestTokens, settings) : undefined;
  return tokens && withTokens(reference, tokens);
}
