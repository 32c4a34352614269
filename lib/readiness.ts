import 'server-only';
import { NextResponse } from 'next/server';
import { checkIdpDiscovery } from './auth';
import { db } from './db';
import { logOncePerMinute } from './throttled-log';

/**
 * Readiness (`/ready`): whether this instance can serve sign-ins and renewals — its
 * database answers, and the IdP answers its discovery document. 503 naming what is down
 * otherwise. `/status` stays liveness: a process that answers it is not stuck, whatever
 * its dependencies do (docs/OPERATIONS.md says which probe to point where).
 *
 * Answers are reused for CACHE_MS: a load balancer probing every instance every second
 * must not become load on the IdP.
 */
export type DependencyState = 'ok' | 'down';

export interface Readiness {
  readonly ready: boolean;
  readonly database: DependencyState;
  readonly idp: DependencyState;
}

const CACHE_MS = 2_000;
const DATABASE_TIMEOUT_MS = 2_000;

const globalForReadiness = globalThis as unknown as { renewalReadiness?: { at: number; answer: Promise<Readiness> } };

async function state(check: () => Promise<unknown>, what: string): Promise<DependencyState> {
  try {
    await check();
    return 'ok';
  } catch (error) {
    // A probe every few seconds while it is down: once a minute says it.
    logOncePerMinute(`not ready: ${what} (${error instanceof Error ? error.message : String(error)})`, { level: 'warn' });
    return 'down';
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function checkNow(): Promise<Readiness> {
  const [database, idp] = await Promise.all([
    state(() => withTimeout(db().$queryRaw`SELECT 1`, DATABASE_TIMEOUT_MS), 'the database'),
    state(checkIdpDiscovery, "the IdP's discovery document"),
  ]);
  return { ready: database === 'ok' && idp === 'ok', database, idp };
}

export function readiness(now = Date.now()): Promise<Readiness> {
  const cached = globalForReadiness.renewalReadiness;
  if (cached && now - cached.at < CACHE_MS) return cached.answer;
  const answer = checkNow();
  globalForReadiness.renewalReadiness = { at: now, answer };
  return answer;
}

export async function readinessResponse(): Promise<NextResponse> {
  const answer = await readiness();
  return NextResponse.json(answer, { status: answer.ready ? 200 : 503, headers: { 'Cache-Control': 'no-store', ...(answer.ready ? {} : { 'Retry-After': '5' }) } });
}
