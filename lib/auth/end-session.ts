import 'server-only';
import { db } from '../db';
import { audit, type AuditType, revokeSession } from './registry';
import { revokeRefreshToken } from './oidc';
import { unsealTokens } from './sealed-cookie';
import { cookieSettings, forgetSession } from './runtime';
import type { SessionData, TokenSet } from './session-payload';

/**
 * Ends a session everywhere it lives: the registry row (so every instance refuses it
 * within REGISTRY_CHECK_INTERVAL, this one at once), the refresh token at the IdP
 * (RFC 7009, where offered; a failure there does not keep the session alive), and the
 * audit trail. Returns the newest token set, whose ID token sign-out hands to the IdP.
 *
 * The registry may hold a newer token set than the cookie that asked: that is the one
 * whose refresh token is live, so that is the one revoked.
 */
export async function endSession(session: SessionData, reason: string, auditType: AuditType): Promise<TokenSet> {
  const row = await db().session.findUnique({ where: { id: session.sid }, select: { latestTokens: true } });
  const latest = (row?.latestTokens ? await unsealTokens(row.latestTokens, cookieSettings()) : undefined) ?? session.tokens;
  await revokeSession(session.sid, reason, new Date());
  forgetSession(session.sid);
  await audit({ type: auditType, sessionId: session.sid, userId: session.userId, reason });
  if (latest.refreshToken) await revokeRefreshToken(latest.refreshToken);
  return { ...latest, idToken: latest.idToken ?? session.tokens.idToken };
}
