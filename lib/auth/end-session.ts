import 'server-only';
import { db } from '../db';
import { audit, type AuditType, revokeSession } from './registry';
import { cookieSettings, forgetSession } from './runtime';
import { unsealTokens } from './sealed-cookie';
import type { SessionData, TokenSet } from './session-payload';

/**
 * Ends a session in the registry (so every instance refuses it within
 * REGISTRY_CHECK_INTERVAL, this one at once) and records why. Returns the newest token
 * set: the registry may hold a newer one than the cookie that asked, and its refresh
 * token is the live one — sign-out revokes it at the IdP, with its ID token as the hint.
 *
 * Ending a session does not revoke its grant at the IdP by itself: a browser that signs
 * in again shares its IdP session, and so its grant, with the session it replaces.
 */
export async function endSession(session: SessionData, reason: string, auditType: AuditType): Promise<TokenSet> {
  const row = await db().session.findUnique({ where: { id: session.sid }, select: { latestTokens: true } });
  const latest = (row?.latestTokens ? await unsealTokens(row.latestTokens, cookieSettings()) : undefined) ?? session.tokens;
  await revokeSession(session.sid, reason, new Date());
  forgetSession(session.sid);
  await audit({ type: auditType, sessionId: session.sid, userId: session.userId, reason });
  return { ...latest, idToken: latest.idToken ?? session.tokens.idToken };
}
