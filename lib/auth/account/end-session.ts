import 'server-only';
import { db } from '../../db';
import { unsealTokens } from '../cookie/sealed-cookie';
import { cookieSettings, forgetSession } from '../refresh/runtime';
import { audit, type AuditType } from '../registry/registry';
import type { SessionData, TokenSet } from '../session-payload';

/**
 * Ends a session in the registry (so this instance refuses it at once, every other within
 * a second: registry/session-ends.ts) and records why. Returns the newest token
 * set: the registry may hold a newer one than the cookie that asked, and its refresh
 * token is the live one — sign-out revokes it at the IdP, with its ID token as the hint.
 *
 * Ending a session does not revoke its grant at the IdP by itself: a browser that signs
 * in again shares its IdP session, and so its grant, with the session it replaces.
 */
export async function endSession(session: SessionData, reason: string, auditType: AuditType): Promise<TokenSet> {
  const sealed = await revokeTakingFinalTokens(session.sid, reason, new Date());
  const latest = (sealed ? await unsealTokens(sealed, cookieSettings()) : undefined) ?? session.tokens;
  forgetSession(session.sid);
  await audit({ type: auditType, sessionId: session.sid, userId: session.userId, reason });
  return { ...latest, idToken: latest.idToken ?? session.tokens.idToken };
}

/**
 * Revokes the row, then reads its token set and clears it, in one transaction. In that
 * order because a refresh publishes its new generation only while the row is unrevoked
 * (lib/auth/refresh/coordination.ts): read first, a refresh landing in between would leave its fresh
 * refresh token live at the IdP, held by nobody. Revoked first, every refresh either
 * published before (its tokens are the ones read here) or finds the row revoked and
 * revokes its new token itself. Returns the sealed set, if the row still held one.
 */
export async function revokeTakingFinalTokens(sid: string, reason: string, now: Date): Promise<string | undefined> {
  const database = db();
  const [, row] = await database.$transaction([
    // revokeSession's columns, all but the token set: it is read first, then cleared.
    database.session.updateMany({ where: { id: sid, revokedAt: null }, data: { revokedAt: now, revokedReason: reason, leaseOwner: null, leaseUntil: null } }),
    database.session.findUnique({ where: { id: sid }, select: { latestTokens: true } }),
    database.session.updateMany({ where: { id: sid }, data: { latestTokens: null } }),
  ]);
  return row?.latestTokens ?? undefined;
}
