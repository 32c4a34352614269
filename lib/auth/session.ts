import 'server-only';
import { cookies } from 'next/headers';
import { db } from '../db';
import { env } from '../env';
import type { Decision } from './decision';
import { refreshGrant } from './oidc';
import { createRenewer, type Renewer } from './refresh';
import { checkRegistry } from './registry-check';
import { type CookieJar, type CookieSettings, readSessionCookie, unsealSession } from './session-cookie';
import type { SessionData } from './session-data';
import { validateSession, type ValidateDeps } from './validate';

/** Wiring of validateSession to this app's configuration, database and IdP. */

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export function cookieSettings(): CookieSettings {
  const config = env();
  return { secrets: config.session.secrets, secure: config.secureCookies, absoluteLifetimeSec: config.session.absoluteLifetimeSec };
}

const globalForRenewer = globalThis as unknown as { renewalRenewer?: Renewer };

function renewer(): Renewer {
  const { session } = env();
  globalForRenewer.renewalRenewer ??= createRenewer({
    db: db(),
    cookie: cookieSettings(),
    graceSec: session.graceSec,
    refreshTimeoutMs: session.refreshTimeoutMs,
    refresh: refreshGrant,
    now: nowSeconds,
  });
  return globalForRenewer.renewalRenewer;
}

function validateDeps(): ValidateDeps {
  const { session } = env();
  const settings = cookieSettings();
  return {
    policy: session,
    unseal: (sealed) => unsealSession(sealed, settings),
    checkRegistry: (data, now) => checkRegistry(data, now, session),
    renew: (data, now) => renewer()(data, now),
  };
}

/** Validates the session cookie in `jar`: the proxy's one call. */
export async function validateRequest(jar: CookieJar): Promise<Decision> {
  return validateSession(readSessionCookie(jar, env().secureCookies), nowSeconds(), validateDeps());
}

/**
 * The session of the request being rendered, read-only. Server Components cannot set
 * cookies, so they never refresh: the proxy already validated (and if needed renewed)
 * this request, and rewrote its Cookie header.
 */
export async function getSession(): Promise<SessionData | undefined> {
  const sealed = readSessionCookie(await cookies(), env().secureCookies);
  if (!sealed) return undefined;
  return (await unsealSession(sealed, cookieSettings()))?.session;
}
