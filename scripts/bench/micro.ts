/**
 * Micro benchmark: the proxy's own call, validateRequest, on a valid cookie, against a
 * raw iron-session unseal of the same cookie. In-process, real SQLite registry.
 */
import { unsealData } from 'iron-session';
import { performance } from 'node:perf_hooks';
import { env } from '../../lib/env';
import { db } from '../../lib/db';
import type { Db } from '../../lib/db/client';
import { unsealIron } from '../../lib/auth/cookie/iron-unseal';
import { hashRefreshToken } from '../../lib/auth/refresh/coordination';
import { type CookieJar, type CookieSettings, sealSession } from '../../lib/auth/cookie/sealed-cookie';
import { cookieSettings, validateRequest } from '../../lib/auth/refresh/runtime';
import { checkRegistry, forgetRegistryVerdict } from '../../lib/auth/registry/registry-check';
import type { SessionData } from '../../lib/auth/session-payload';
import { startTelemetry } from '../../lib/telemetry/telemetry-start';

export interface MicroResult {
  readonly cookieBytes: number;
  readonly rawUnsealUs: number;
  /** The same unseal with node:crypto primitives (lib/auth/cookie/iron-unseal.ts), as the app does it. */
  readonly nodeUnsealUs: number;
  readonly repeatedUs: number;
  readonly distinctUs: number;
  /** The repeated cookie again, just before and just after OpenTelemetry metrics start being recorded. */
  readonly repeatedBeforeMetricsUs: number;
  readonly repeatedWithMetricsUs: number;
  /** validateRequest cycling over twice as many cookies as the unseal memo holds. */
  readonly thrashUs: number;
  readonly memoSize: number;
  /** The registry read a first-seen cookie costs, alone. */
  readonly registryReadUs: number;
}

function jarWith(sealed: string): CookieJar {
  return { get: (name) => (name === 'renewal-session' ? { value: sealed } : undefined), getAll: () => [{ name: 'renewal-session' }] };
}

/** A session the size real IdPs produce: JWT access and ID tokens of about 1 KB each. */
export function realisticSession(sid: string, now: number): SessionData {
  const jwtish = (n: number) => `eyJhbGciOiJSUzI1NiJ9.${'x'.repeat(n)}.${'s'.repeat(342)}`;
  return {
    v: 1,
    sid,
    userId: `user-${sid}`,
    sub: `subject-${sid}`,
    name: 'Alice Liddell',
    email: 'alice@example.test',
    createdAt: now,
    tokenVersion: 0,
    tokens: { accessToken: jwtish(700), refreshToken: 'r'.repeat(86), idToken: jwtish(500), expiresAt: now + 3600, issuedAt: now },
  };
}

export interface MintedSession {
  readonly sid: string;
  /** The sealed cookie value, as `settings` seal it. */
  readonly sealed: string;
}

/** Rows per createMany, and seals in flight at once. */
const CHUNK = 1000;

/**
 * `count` valid sessions without signing in: a user and a Session row each in `database`,
 * and a cookie sealed with `settings` (the app's own cookieSettings() for the app's secret).
 * Their access tokens last an hour, so nothing renews while they are used.
 */
export async function createSessions(database: Db, count: number, now: number, settings: CookieSettings): Promise<MintedSession[]> {
  const minted: MintedSession[] = [];
  for (let start = 0; start < count; start += CHUNK) {
    const sessions = Array.from({ length: Math.min(CHUNK, count - start) }, (_, i) => realisticSession(`bench-${(start + i).toString().padStart(6, '0')}-0123456789`, now));
    await database.user.createMany({ data: sessions.map((s) => ({ id: s.userId, issuer: 'https://idp.bench/', subject: s.sub })) });
    await database.session.createMany({
      data: sessions.map((s) => ({ id: s.sid, userId: s.userId, absoluteExpiresAt: new Date((now + 86400) * 1000), refreshTokenHash: hashRefreshToken(s.tokens.refreshToken!) })),
    });
    const sealed = await Promise.all(sessions.map((s) => sealSession(s, settings)));
    minted.push(...sessions.map((s, i) => ({ sid: s.sid, sealed: sealed[i]! })));
  }
  return minted;
}

async function perOp(count: number, op: (i: number) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < count; i++) await op(i);
  return ((performance.now() - started) * 1000) / count;
}

export async function micro(): Promise<MicroResult> {
  const now = Math.floor(Date.now() / 1000);
  const minted = await createSessions(db(), 1001, now, cookieSettings());
  const distinct = minted.map((m) => m.sealed);
  const repeated = distinct.pop()!;
  const { secrets } = env().session;

  const expectValid = async (sealed: string) => {
    const decision = await validateRequest(jarWith(sealed));
    if (decision.kind !== 'valid') throw new Error(`benchmark cookie was not valid: ${decision.kind}`);
  };

  // Warm up JIT, the registry cache and the memo.
  await perOp(200, () => unsealData(repeated, { password: secrets }));
  await perOp(2000, () => expectValid(repeated));

  const rawUnsealUs = await perOp(2000, () => unsealData(repeated, { password: secrets }));
  await perOp(200, () => unsealIron(repeated, secrets, 3600));
  const nodeUnsealUs = await perOp(2000, () => unsealIron(repeated, secrets, 3600));
  const repeatedUs = await perOp(50_000, () => expectValid(repeated));
  const distinctUs = await perOp(distinct.length, (i) => expectValid(distinct[i]!));
  // Cycling over more cookies than the memo holds: each request unseals again, the
  // verdicts (a larger cache) stand.
  const memoSize = env().session.unsealMemoSize;
  if (distinct.length < 2 * memoSize) throw new Error(`the thrash measurement needs UNSEAL_MEMO_SIZE at most ${distinct.length / 2}`);
  const thrashUs = await perOp(distinct.length, (i) => expectValid(distinct[i]!));
  const sids = minted.slice(0, distinct.length).map((m) => m.sid);
  // The read a first sight makes, as the app makes it: the verdict forgotten first.
  const registryReadUs = await perOp(sids.length, (i) => {
    forgetRegistryVerdict(sids[i]!);
    return checkRegistry({ sid: sids[i]! }, now, env().session);
  });
  // The same hot path with metrics recorded (a Prometheus reader on a free port): what
  // METRICS_PORT costs a valid session's request.
  // Measured next to each other: a heap grown by the parts above slows both alike.
  const repeatedBeforeMetricsUs = await perOp(50_000, () => expectValid(repeated));
  startTelemetry({ prometheus: { host: '127.0.0.1', port: 0 }, otlpTraces: false, otlpMetrics: false, serviceName: 'renewal-bench' });
  await perOp(2000, () => expectValid(repeated));
  const repeatedWithMetricsUs = await perOp(50_000, () => expectValid(repeated));
  return { cookieBytes: repeated.length, rawUnsealUs, nodeUnsealUs, repeatedUs, repeatedBeforeMetricsUs, repeatedWithMetricsUs, distinctUs, thrashUs, memoSize, registryReadUs };
}
