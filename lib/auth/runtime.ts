import 'server-only';
import { db } from '../db';
import { env } from '../env';
import type { Decision } from './decision';
import { probeRefreshToken, refreshGrant, revokeRefreshToken } from './oidc';
import { createRenewer, type Renewer } from './refresh';
import { checkRegistry, checkRegistryOrLastKnown, forgetRegistryVerdict } from './registry-check';
import { type CookieJar, type CookieSettings, readSessionCookie, sealSession, unsealSession } from './sealed-cookie';
import type { SessionData } from './session-payload';
import { createUnsealMemo, type UnsealMemo } from './unseal-memo';
import { checkSessionReadOnly, liveSessionReadOnly, type ReadOnlyVerdict, validateSession, type ValidateDeps, type ValidateOptions } from './validate';

/** Wiring of validateSession to this app's configuration, database and IdP. */

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export function cookieSettings(): CookieSettings {
  const config = env();
  return { secrets: config.session.secrets, sealingSecretId: config.session.sealingSecretId, secure: config.secureCookies, absoluteLifetimeSec: config.session.absoluteLifetimeSec };
}

// On globalThis: Next.js bundles the proxy and the routes separately, but in one process
// they must share one renewer (single-flight) and one memo.
const globalForAuth = globalThis as unknown as { renewalRenewer?: Renewer; renewalUnsealMemo?: UnsealMemo };

const MEMO_MAX_ENTRIES = 10_000;
const MEMO_TTL_SEC = 300;

function unsealMemo(): UnsealMemo {
  globalForAuth.renewalUnsealMemo ??= createUnsealMemo((sealed) => unsealSession(sealed, cookieSettings()), {
    policy: env().session,
    maxEntries: MEMO_MAX_ENTRIES,
    ttlSec: MEMO_TTL_SEC,
  });
  return globalForAuth.renewalUnsealMemo;
}

function renewer(): Renewer {
  const { session } = env();
  globalForAuth.renewalRenewer ??= createRenewer({
    db: db(),
    cookie: cookieSettings(),
    graceSec: session.graceSec,
    refreshTimeoutMs: session.refreshTimeoutMs,
    refresh: refreshGrant,
    probe: probeRefreshToken,
    revoke: revokeRefreshToken,
    now: nowSeconds,
  });
  return globalForAuth.renewalRenewer;
}

function validateDeps(): ValidateDeps {
  const { session } = env();
  return {
    policy: session,
    unseal: (sealed) => unsealMemo().unseal(sealed, nowSeconds()),
    checkRegistry: (data, now, activity) => checkRegistry(data, now, session, activity),
    renew: (data, now) => renewer()(data, now),
  };
}

/** For renders: the registry's verdict may be the last one read when the database does not answer. */
function renderDeps(): Omit<ValidateDeps, 'renew'> {
  const { session } = env();
  return { ...validateDeps(), checkRegistry: (data, now) => checkRegistryOrLastKnown(data, now, session) };
}

/** Validates the session cookie in `jar`, renewing when due: the proxy, route handlers and server actions. */
export async function validateRequest(jar: CookieJar, options?: ValidateOptions): Promise<Decision> {
  return validateSession(readSessionCookie(jar, env().secureCookies), nowSeconds(), validateDeps(), options);
}

/** The live session in `jar`'s cookie, its access token aside: for page chrome only. */
export async function readLiveSession(jar: CookieJar): Promise<SessionData | undefined> {
  return liveSessionReadOnly(readSessionCookie(jar, env().secureCookies), nowSeconds(), renderDeps());
}

/** The read-only check of the session cookie in `jar`, for Server Components. */
export async function checkRequestReadOnly(jar: CookieJar): Promise<ReadOnlyVerdict> {
  return checkSessionReadOnly(readSessionCookie(jar, env().secureCookies), nowSeconds(), renderDeps());
}

/** The session sealed in `sealed`, if it unseals; says nothing about whether it is still alive. */
export async function readSession(sealed: string | undefined): Promise<SessionData | undefined> {
  return sealed ? (await unsealMemo().unseal(sealed, nowSeconds()))?.session : undefined;
}

/** Seals a session for its cookie, remembering the result for the rest of this request. */
export async function sealForCookie(session: SessionData): Promise<string> {
  const sealed = await sealSession(session, cookieSettings());
  unsealMemo().remember(sealed, { session, stale: false }, nowSeconds());
  return sealed;
}

/** Stops this process from accepting a session it has just revoked. */
export function forgetSession(sid: string): void {
  forgetRegistryVerdict(sid);
  unsealMemo().forgetSession(sid);
}
