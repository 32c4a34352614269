/**
 * account/ — a person's sessions as they see and end them: the sessions page's list
 * (here), ending a session (end-session.ts: sign-out, remote sign-out, signing in
 * again), the dashboard's timeline and audit events in words. Uses refresh/ and below.
 */
import 'server-only';
import { db } from '../../db';
import { unsealTokens } from '../cookie/sealed-cookie';
import { revokeRefreshToken } from '../idp/oidc';
import { cookieSettings, forgetSession, nowSeconds } from '../refresh/runtime';
import { audit } from '../registry/registry';
import { type SessionData, sessionHandle } from '../session-payload';
import { revokeTakingFinalTokens } from './end-session';

/** A person's live sessions, as the sessions page shows them, and ending them from another one. */
export interface OwnSession {
  /** Names the session in a form without revealing its id, which otherwise never leaves the server unsealed. */
  readonly handle: string;
  readonly createdAt: Date;
  readonly lastSeenAt: Date;
  readonly userAgent: string | null;
  readonly current: boolean;
  /** Its newest audit event, as `eventLabel` words it; null when the trail holds none (pruned). */
  readonly latestEvent: { readonly type: string; readonly at: Date } | null;
}

/** The live sessions of `current`'s person, most recently active first. */
export async function listOwnSessions(current: SessionData): Promise<OwnSession[]> {
  const rows = await db().session.findMany({
    where: { userId: current.userId, revokedAt: null, absoluteExpiresAt: { gt: new Date(nowSeconds() * 1000) } },
    orderBy: { lastSeenAt: 'desc' },
    select: { id: true, createdAt: true, lastSeenAt: true, userAgent: true },
  });
  // One indexed look-up per session ([sessionId, at]): a person has a handful of
  // sessions, while each session's trail grows with every renewal.
  const latest = await Promise.all(
    rows.map(({ id }) => db().auditEvent.findFirst({ where: { sessionId: id }, orderBy: [{ at: 'desc' }, { id: 'desc' }], select: { type: true, at: true } })),
  );
  return rows.map(({ id, ...row }, index) => ({ ...row, handle: sessionHandle(id), current: id === current.sid, latestEvent: latest[index] ?? null }));
}


/**
 * Ends one of the person's other sessions: the registry (every instance refuses it within
 * a second: registry/session-ends.ts), its live refresh token at the IdP (RFC 7009: that device's
 * grant), the audit trail. Returns false when `handle` names no other live session of theirs.
 */
export async function endOwnSession(current: SessionData, handle: string): Promise<boolean> {
  const rows = await db().session.findMany({ where: { userId: current.userId, revokedAt: null }, select: { id: true } });
  const row = rows.find((candidate) => candidate.id !== current.sid && sessionHandle(candidate.id) === handle);
  if (!row) return false;
  const sid = row.id;
  // Revoked first, then its final token set read (as sign-out does): a refresh of that
  // device landing in between cannot leave a fresh refresh token live at the IdP.
  const sealed = await revokeTakingFinalTokens(sid, 'ended_elsewhere', new Date());
  forgetSession(sid);
  await audit({ type: 'ended_elsewhere', sessionId: sid, userId: current.userId, reason: 'ended_elsewhere' });
  const tokens = sealed ? await unsealTokens(sealed, cookieSettings()) : undefined;
  if (tokens?.refreshToken) await revokeRefreshToken(tokens.refreshToken);
  return true;
}

/** Ends every other live session of the person; returns how many. */
export async function endOtherOwnSessions(current: SessionData): Promise<number> {
  let ended = 0;
  for (const session of await listOwnSessions(current)) {
    if (!session.current && (await endOwnSession(current, session.handle))) ended += 1;
  }
  return ended;
}
