/**
 * Micro benchmark: the proxy's own call, validateRequest, on a valid cookie, against a
 * raw iron-session unseal of the same cookie. In-process, real SQLite registry.
 */
import { unsealData } from 'iron-session';
import { performance } from 'node:perf_hooks';
import { env } from '../../lib/env';
import { db } from '../../lib/db';
import { unsealIron } from '../../lib/auth/cookie/iron-unseal';
import { hashRefreshToken } from '../../lib/auth/refresh/coordination';
import { type CookieJar, sealSession } from '../../lib/auth/cookie/sealed-cookie';
import { cookieSettings, validateRequest } from '../../lib/auth/refresh/runtime';
import type { SessionData } from '../../lib/auth/session-payload';

export interface MicroResult {
  readonly cookieBytes: number;
  readonly rawUnsealUs: number;
  /** The same unseal with node:crypto primitives (lib/auth/cookie/iron-unseal.ts), as the app does it. */
  readonly nodeUnsealUs: number;
  readonly repeatedUs: number;
  readonly distinctUs: number;
  /** The registry read a first-seen cookie costs, alone. */
  readonly registryReadUs: number;
}

function jarWith(sealed: string): CookieJar {
  return { get: (name) => (name === 'renewal-session' ? { value: sealed } : undefined), getAll: () => [{ name: 'renewal-session' }] };
}

/** A session the size real IdPs produce: JWT access and ID tokens of about 1 KB each. */
function realisticSession(sid: string, now: number): SessionData {
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

async function createSessions(count: number, now: number): Promise<string[]> {
  const seals: string[] = [];
  for (let i = 0; i < count; i++) {
    const sid = `bench-${i.toString().padStart(6, '0')}-0123456789`;
    const session = realisticSession(sid, now);
    await db().user.create({ data: { id: session.userId, issuer: 'https://idp.bench/', subject: session.sub } });
    await db().session.create({
      data: { id: sid, userId: session.userId, absoluteExpiresAt: new Date((now + 86400) * 1000), refreshTokenHash: hashRefreshToken(session.tokens.refreshToken!) },
    });
    seals.push(await sealSession(session, cookieSettings()));
  }
  return seals;
}

async function perOp(count: number, op: (i: number) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < count; i++) await op(i);
  return ((performance.now() - started) * 1000) / count;
}

export async function micro(): Promise<MicroResult> {
  const now = Math.floor(Date.now() / 1000);
  const distinct = await createSessions(1001, now);
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
  const sids = distinct.map((_, i) => `bench-${i.toString().padStart(6, '0')}-0123456789`);
  const registryReadUs = await perOp(sids.length, (i) => db().session.findUnique({ where: { id: sids[i]! }, select: { revokedAt: true, revokedReason: true, lastSeenAt: true } }));
  return { cookieBytes: repeated.length, rawUnsealUs, nodeUnsealUs, repeatedUs, distinctUs, registryReadUs };
}
