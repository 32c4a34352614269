import type { Db } from '../../db/client';
import { sealTokens } from '../cookie/sealed-cookie';
import type { RefreshResult } from '../idp/refresh-result';
import type { SessionData, TokenSet } from '../session-payload';
import { hashRefreshToken } from './coordination';

/** What refresh/'s tests share: cookie settings, an IdP that rotates strictly, a session row. */
export const TEST_COOKIE = { secrets: { 1: 'c'.repeat(32) }, secure: false, absoluteLifetimeSec: 3600 };

/** An IdP that rotates strictly: each refresh token works once. Tokens last 60 s from `now()`. */
export function rotatingIdp(now: () => number, delayMs = 0) {
  const spent = new Set<string>();
  let issued = 0;
  const calls: string[] = [];
  const refresh = async (refreshToken: string): Promise<RefreshResult> => {
    calls.push(refreshToken);
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (spent.has(refreshToken)) return { kind: 'terminal', error: 'invalid_grant' };
    spent.add(refreshToken);
    issued += 1;
    return { kind: 'ok', tokens: { accessToken: `at-${issued}`, refreshToken: `rt-${issued}`, expiresAt: now() + 60, issuedAt: now() } };
  };
  return { refresh, calls };
}

/** A signed-in session, its row and its user, whose access token expired a second before `now`. */
export async function createSession(db: Db, now: number, tokens: TokenSet = { accessToken: 'at-0', refreshToken: 'rt-0', expiresAt: now - 1, issuedAt: now - 61 }): Promise<SessionData> {
  const sid = `sid-${Math.random().toString(36).slice(2)}-${Date.now()}`;
  const user = await db.user.create({ data: { id: `u-${sid}`, issuer: 'https://idp.test/', subject: `alice-${sid}` } });
  await db.session.create({
    data: {
      id: sid,
      userId: user.id,
      absoluteExpiresAt: new Date((now + 3600) * 1000),
      refreshTokenHash: tokens.refreshToken ? hashRefreshToken(tokens.refreshToken) : null,
      latestTokens: await sealTokens(tokens, TEST_COOKIE),
    },
  });
  return { v: 1, sid, userId: user.id, sub: 'alice', createdAt: now - 100, tokenVersion: 0, tokens };
}
