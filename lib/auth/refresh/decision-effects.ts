import 'server-only';
import { env } from '../../env';
import { type CookieJar, type CookieWrite, sessionCookieClears, sessionCookieWrites } from '../cookie/sealed-cookie';
import { audit } from '../registry/registry';
import { absoluteExpiry, type SessionData } from '../session-payload';
import { clearsCookie, type Decision, type RejectReason } from './decision';
import { cookieSettings, nowSeconds, sealForCookie } from './runtime';

/**
 * What a decision does besides answering, wherever it was taken (the proxy, a route
 * handler, a server action): the cookie writes it implies, and its audit entry.
 */

/** The cookies to write for `decision`, given the cookies the request carried. */
export async function cookieWritesFor(decision: Decision, jar: CookieJar): Promise<CookieWrite[]> {
  if (decision.kind === 'renewed' || (decision.kind === 'valid' && decision.rewrite)) {
    const maxAge = absoluteExpiry(decision.session, env().session) - nowSeconds();
    return sessionCookieWrites(await sealForCookie(decision.session), jar, cookieSettings(), maxAge);
  }
  if (decision.kind === 'rejected' && clearsCookie(decision.reason)) return sessionCookieClears(jar, cookieSettings());
  return [];
}

// A rejected cookie is cleared, but a script (or an attacker replaying it) may send it
// again: record each session's rejection once per process, not once per request. On
// globalThis: Next.js bundles the proxy and the route handlers separately.
const globalForAudit = globalThis as unknown as { renewalAuditedRejections?: Set<string> };
const recentlyAudited = (globalForAudit.renewalAuditedRejections ??= new Set<string>());
const MAX_AUDITED = 10_000;

async function auditRejection(session: SessionData, reason: RejectReason): Promise<void> {
  const key = `${session.sid}:${reason}`;
  if (recentlyAudited.has(key)) return;
  if (recentlyAudited.size >= MAX_AUDITED) recentlyAudited.clear();
  recentlyAudited.add(key);
  await audit({ type: 'rejected', sessionId: session.sid, userId: session.userId, reason });
}

/** Records a rejection of a readable session in the audit trail. */
export async function auditDecision(decision: Decision): Promise<void> {
  if (decision.kind === 'rejected' && decision.session) await auditRejection(decision.session, decision.reason);
}
