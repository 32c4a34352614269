/**
 * registry/ — the database's side of a session: the registry rows and the audit trail
 * (here), the cached registry check every request makes (registry-check.ts) and
 * retention. A bottom layer: it uses only the shared modules at lib/auth's top.
 */
/**
 * The session registry (one row per session: the server's word on whether it lives, and
 * the refresh-coordination state of lib/auth/refresh/coordination.ts) and the audit trail.
 */
import 'server-only';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { db } from '../../db';
import type { Db } from '../../db/client';
import { logEvent } from '../../telemetry/event-log';
import { countRejection, countSessionEnded, countSessionStarted, type EndReason } from '../../telemetry/metrics';
import { sessionHandle } from '../session-payload';

/** What the audit trail records. */
export type AuditType =
  | 'sign_in'
  | 'refresh'
  | 'refresh_failed'
  | 'refresh_unavailable'
  /** A refresh token found unusable after an attempt whose answer never came. */
  | 'refresh_lost'
  /** Tokens obtained again by a silent re-authentication (prompt=none). */
  | 'reauthenticated'
  /**
   * A request with an older cookie took the token set another request (often another
   * instance) had renewed. Recorded once per generation per process.
   */
  | 'adopted'
  | 'rejected'
  /** Refresh coordination refused a cookie's generation; the reason says which rule and what it compared. */
  | 'refused'
  | 'sign_out'
  /** Ended because the same browser signed in again. */
  | 'replaced'
  /** Ended by the IdP (OIDC Back-Channel Logout). */
  | 'idp_logout'
  /** Ended by its owner from another session (the sessions page). */
  | 'ended_elsewhere'
  /** The IdP's profile claims changed at a renewal; the reason names which (never their values). */
  | 'profile_updated'
  /** The person proved who they are again for a sensitive action; the reason names the action. */
  | 'stepped_up';

export interface AuditEntry {
  readonly type: AuditType;
  readonly sessionId?: string;
  readonly userId?: string;
  readonly reason?: string;
}

/**
 * This process, as the audit trail names it: INSTANCE_NAME (a label, e.g. the pod name),
 * else host and process id. With several instances, which one renewed, adopted or refused
 * is the first question a wrong sign-out asks.
 */
export const INSTANCE_NAME = process.env.INSTANCE_NAME?.trim() || `${hostname()}/${process.pid}`;

/**
 * Appends to the audit trail. Never holds a token. `database`: for callers given their own.
 * An entry about a session whose row is gone (pruned, or never written) is kept without
 * the link: the trail must never be why a request fails. Inside a transaction on
 * PostgreSQL that fallback cannot run (the failed insert aborts it): there, audit only
 * rows the transaction holds.
 */
export async function audit(entry: AuditEntry, database: Db = db()): Promise<void> {
  const data = { type: entry.type, sessionId: entry.sessionId, userId: entry.userId, reason: entry.reason, instance: INSTANCE_NAME };
  try {
    await database.auditEvent.create({ data });
  } catch (error) {
    // P2003: the foreign key to Session — no row with this id.
    if (!entry.sessionId || (error as { code?: unknown }).code !== 'P2003') throw error;
    await database.auditEvent.create({ data: { ...data, sessionId: null } });
  }
  announce(entry);
}

/** The audit types that end a session, as the metrics name the reason. */
const ENDS: Partial<Record<AuditType, EndReason>> = {
  sign_out: 'signed_out',
  ended_elsewhere: 'ended_elsewhere',
  replaced: 'replaced',
  idp_logout: 'idp_logout',
  refresh_failed: 'refresh_failed',
};

/**
 * The event log, the metrics and the trail record the same events, from the same place:
 * what the soak compares. A rejection for expiry or idleness ends the session; the other rejections
 * follow an end already counted (or refuse a stale copy of a live session: `superseded`).
 */
function announce(entry: AuditEntry): void {
  logEvent({ event: entry.type, ...(entry.sessionId ? { session: sessionHandle(entry.sessionId) } : {}), ...(entry.reason ? { reason: entry.reason } : {}) });
  if (entry.type === 'sign_in') countSessionStarted();
  const ended = ENDS[entry.type];
  if (ended) countSessionEnded(ended);
  if (entry.type === 'rejected' && entry.reason) {
    countRejection(entry.reason);
    if (entry.reason === 'expired' || entry.reason === 'idle') countSessionEnded(entry.reason);
  }
}

/** A session id: 256 random bits, minted at every sign-in so a planted id is useless. */
export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

export interface SignedInUser {
  readonly issuer: string;
  readonly subject: string;
  readonly email?: string;
  readonly name?: string;
}

/** Finds or creates the user by (issuer, subject), never by email. Returns its id. */
export async function upsertUser(user: SignedInUser, now: Date): Promise<string> {
  const row = await db().user.upsert({
    where: { issuer_subject: { issuer: user.issuer, subject: user.subject } },
    create: { id: newSessionId(), issuer: user.issuer, subject: user.subject, email: user.email, name: user.name, createdAt: now, lastLoginAt: now },
    update: { email: user.email, name: user.name, lastLoginAt: now },
  });
  return row.id;
}

/** The person's record takes the profile claims the IdP sent at a renewal. */
export async function updateUserProfile(userId: string, profile: Pick<SignedInUser, 'name' | 'email'>, database: Db = db()): Promise<void> {
  await database.user.updateMany({ where: { id: userId }, data: { name: profile.name, email: profile.email } });
}

export interface NewSession {
  readonly id: string;
  readonly userId: string;
  readonly createdAt: Date;
  readonly absoluteExpiresAt: Date;
  readonly idpSid?: string;
  readonly userAgent?: string;
  readonly refreshTokenHash?: string;
  readonly latestTokens: string;
}

export async function createSession(session: NewSession): Promise<void> {
  await db().session.create({
    data: {
      id: session.id,
      userId: session.userId,
      createdAt: session.createdAt,
      lastSeenAt: session.createdAt,
      absoluteExpiresAt: session.absoluteExpiresAt,
      idpSid: session.idpSid,
      userAgent: session.userAgent?.slice(0, 400),
      refreshTokenHash: session.refreshTokenHash,
      latestTokens: session.latestTokens,
    },
  });
}

/** The `revokedReason` of a session its browser replaced by signing in again. */
export const REPLACED_REASON = 'replaced';
/** The `revokedReason` of a session the IdP ended by back-channel logout. */
export const IDP_LOGOUT_REASON = 'idp_logout';

/** Marks a session revoked; a revoked session stays revoked (the first reason wins). */
export async function revokeSession(sessionId: string, reason: string, now: Date, database: Db = db()): Promise<void> {
  await database.session.updateMany({
    where: { id: sessionId, revokedAt: null },
    data: { revokedAt: now, revokedReason: reason, latestTokens: null, leaseOwner: null, leaseUntil: null },
  });
}

export async function recentEvents(sessionId: string, take = 12) {
  return db().auditEvent.findMany({ where: { sessionId }, orderBy: { id: 'desc' }, take });
}

/**
 * Ends the sessions an IdP's logout token names (Back-Channel Logout 1.0 §2.7): those
 * with its `sid`, else every session of its `sub` at this issuer. Returns them.
 */
export async function revokeForIdpLogout(issuer: string, names: { sid?: string; sub?: string }, now: Date, database: Db = db()): Promise<Array<{ id: string; userId: string }>> {
  const user = { issuer, ...(names.sub ? { subject: names.sub } : {}) };
  const where = names.sid ? { idpSid: names.sid, revokedAt: null, user } : { revokedAt: null, user };
  const sessions = await database.session.findMany({ where, select: { id: true, userId: true } });
  for (const session of sessions) {
    await revokeSession(session.id, IDP_LOGOUT_REASON, now, database);
    await audit({ type: 'idp_logout', sessionId: session.id, userId: session.userId, reason: names.sid ? 'sid' : 'sub' }, database);
  }
  return sessions;
}

/** A verified logout token, as far as the registry needs it. */
export interface AcceptedLogoutToken {
  readonly jti: string;
  readonly sid?: string;
  readonly sub?: string;
  /** Its `jti` is remembered until then (lib/auth/registry/retention.ts prunes it afterwards). */
  readonly rememberUntil: Date;
}

/**
 * Acts on a logout token once, on any instance: records its `jti` and ends the sessions
 * it names (revokeForIdpLogout) in one transaction. Returns the sessions ended, or
 * undefined when the `jti` was accepted before (a replay). Should anything fail, nothing
 * is recorded, so the IdP's retry of the same token is acted on.
 */
export async function acceptLogoutTokenOnce(issuer: string, token: AcceptedLogoutToken, now: Date, database: Db = db()): Promise<Array<{ id: string; userId: string }> | undefined> {
  try {
    // The jti first: a concurrent delivery of the same token waits on it, then fails.
    return await database.$transaction(async (tx) => {
      await tx.logoutToken.create({ data: { jti: token.jti, expiresAt: token.rememberUntil } });
      return revokeForIdpLogout(issuer, token, now, tx as Db);
    });
  } catch (error) {
    // P2002: the unique constraint on jti — this token was accepted before.
    if ((error as { code?: unknown }).code === 'P2002') return undefined;
    throw error;
  }
}
