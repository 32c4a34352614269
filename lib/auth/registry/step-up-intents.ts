import 'server-only';
import { randomBytes } from 'node:crypto';
import { db } from '../../db';
import type { Db } from '../../db/client';

/**
 * Sensitive actions waiting for a step-up. The action is kept here, not in a URL: the
 * browser carries only an opaque id to the IdP and back, and the action is finished at
 * most once, by the session that asked for it, within INTENT_TTL_SEC.
 */
const INTENT_TTL_SEC = 10 * 60;

/** A kept action: what the app needs to finish it, and the page it was started from. */
export interface StepUpIntent {
  readonly action: unknown;
  readonly returnTo: string;
}

/** Keeps `intent` for session `sid`; returns its id. */
export async function keepIntent(sid: string, intent: StepUpIntent, nowSec: number, database: Db = db()): Promise<string> {
  const id = randomBytes(24).toString('base64url');
  await database.stepUpIntent.create({
    data: { id, sessionId: sid, action: JSON.stringify(intent.action), returnTo: intent.returnTo, expiresAt: new Date((nowSec + INTENT_TTL_SEC) * 1000) },
  });
  return id;
}

type IntentRow = NonNullable<Awaited<ReturnType<Db['stepUpIntent']['findUnique']>>>;

function live(row: IntentRow | null, sid: string, nowSec: number): row is IntentRow {
  return row !== null && row.sessionId === sid && row.expiresAt.getTime() > nowSec * 1000;
}

/** The kept intent `id` of session `sid`, if it is still waiting; it stays kept. */
export async function findIntent(id: string, sid: string, nowSec: number, database: Db = db()): Promise<StepUpIntent | undefined> {
  const row = await database.stepUpIntent.findUnique({ where: { id } });
  return live(row, sid, nowSec) ? { action: JSON.parse(row.action) as unknown, returnTo: row.returnTo } : undefined;
}

/**
 * Takes the kept intent `id` of session `sid` to finish it: only one caller ever gets it
 * (a replayed callback, two tabs), and never another session.
 */
export async function takeIntent(id: string, sid: string, nowSec: number, database: Db = db()): Promise<StepUpIntent | undefined> {
  const row = await database.stepUpIntent.findUnique({ where: { id } });
  if (!live(row, sid, nowSec)) return undefined;
  const { count } = await database.stepUpIntent.deleteMany({ where: { id, sessionId: sid } });
  return count === 1 ? { action: JSON.parse(row.action) as unknown, returnTo: row.returnTo } : undefined;
}
