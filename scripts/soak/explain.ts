/**
 * Why a live browser was signed out (or an ended one let in): the session its cookie
 * named, the registry row as the run left it, and that session's audit trail around the
 * moment — which instance renewed, adopted or refused, and which rule refused with what
 * it compared (lib/auth writes those reasons). Read after the run, before the database
 * is dropped, so the report carries the explanation with the failure.
 */
import { unsealData } from 'iron-session';
import { createDb } from '../../lib/db/client';
import type { Example } from './metrics';
import { SESSION_SECRET } from './settings';

/** A failure worth explaining: what the report shows, and the cookie the request carried. */
export interface Incident {
  readonly what: 'sign-out' | 'wrong admission';
  readonly example: Example;
  /** The session cookie as sent, in Cookie header form (`name=…; name.1=…`), if the request carried one. */
  readonly sealed: string | undefined;
  /** Epoch ms. */
  readonly at: number;
}

export interface Explanation {
  /** The first characters of the session id: enough to find it in the logs. */
  readonly session?: string;
  readonly cookieGeneration?: number;
  readonly registry?: { readonly generation: number; readonly state: string; readonly revoked: string | null; readonly history: string | null; readonly leaseOwner: string | null };
  /** `±seconds type [reason]`, relative to the incident, oldest first. */
  readonly trail: readonly string[];
  readonly note?: string;
}

const TRAIL_BEFORE_MS = 30_000;
const TRAIL_AFTER_MS = 5_000;

interface CookieSession {
  readonly sid: string;
  readonly tokenVersion: number;
}

async function cookieSession(header: string): Promise<CookieSession | undefined> {
  // Chunks come in order (cookie-jar.ts `chunked`); their values joined are the seal.
  const sealed = header
    .split('; ')
    .map((pair) => pair.slice(pair.indexOf('=') + 1))
    .join('');
  try {
    const data = await unsealData<Partial<CookieSession>>(sealed, { password: { 1: SESSION_SECRET }, ttl: 0 });
    return typeof data.sid === 'string' && typeof data.tokenVersion === 'number' ? { sid: data.sid, tokenVersion: data.tokenVersion } : undefined;
  } catch {
    return undefined;
  }
}

/** Explains each incident from the registry at `databaseUrl`; never throws (the report matters more). */
export async function explainIncidents(incidents: readonly Incident[], databaseUrl: string): Promise<Map<Incident, Explanation>> {
  const explained = new Map<Incident, Explanation>();
  if (incidents.length === 0) return explained;
  const db = createDb(databaseUrl);
  try {
    for (const incident of incidents) {
      explained.set(incident, await explainOne(db, incident).catch((error: unknown) => ({ trail: [], note: `could not read the registry: ${error instanceof Error ? error.message : String(error)}` })));
    }
  } finally {
    await db.$disconnect();
  }
  return explained;
}

async function explainOne(db: ReturnType<typeof createDb>, incident: Incident): Promise<Explanation> {
  if (!incident.sealed) return { trail: [], note: 'the request carried no session cookie' };
  const cookie = await cookieSession(incident.sealed);
  if (!cookie) return { trail: [], note: 'the cookie could not be unsealed with the soak secret' };
  const row = await db.session.findUnique({ where: { id: cookie.sid } });
  const from = new Date(incident.at - TRAIL_BEFORE_MS);
  const to = new Date(incident.at + TRAIL_AFTER_MS);
  const events = await db.auditEvent.findMany({
    where: { at: { gte: from, lte: to }, OR: [{ sessionId: cookie.sid }, ...(row ? [{ userId: row.userId, sessionId: null }] : [])] },
    orderBy: { id: 'asc' },
  });
  const trail = events.map((event) => {
    const offset = (event.at.getTime() - incident.at) / 1000;
    return `${offset >= 0 ? '+' : ''}${offset.toFixed(1)} s ${event.instance ?? '?'} ${event.type}${event.reason ? ` [${event.reason}]` : ''}`;
  });
  return {
    session: cookie.sid.slice(0, 8),
    cookieGeneration: cookie.tokenVersion,
    ...(row
      ? { registry: { generation: row.tokenVersion, state: row.refreshTokenState, revoked: row.revokedReason, history: row.supersededGenerations, leaseOwner: row.leaseOwner } }
      : { note: 'no registry row for this session' }),
    trail,
  };
}
