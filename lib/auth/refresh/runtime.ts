/**
 * refresh/ — keeping a session alive: the decision table (decision.ts), validateSession
 * (validate.ts), renewal coordinated across requests and instances (coordination.ts,
 * token-ref.ts), what each decision writes (decision-effects.ts), and here the wiring of
 * all of it to this app's configuration, database and IdP. Uses registry/, idp/, cookie/.
 */
import 'server-only';
import { db } from '../../db';
import { env } from '../../env';
import { observeCookieSize } from '../../telemetry/metrics';
import { withSpan } from '../../telemetry/spans';
import { type CookieJar, type CookieSettings, readSessionCookie, sealSessionCookie, type Unsealed, unsealSession } from '../cookie/sealed-cookie';
import { createUnsealMemo, type UnsealMemo } from '../cookie/unseal-memo';
import { probeRefreshToken, readUserInfo, refreshGrant, revokeRefreshToken } from '../idp/oidc';
import { checkRegistry, checkRegistryOrLastKnown, followEndedSessions, forgetRegistryVerdict } from '../registry/registry-check';
import { pruneHourly } from '../registry/retention';
import { isReference, type SessionData, type SessionPayload, sessionHandle } from '../session-payload';
import { createRenewer, type Renewer } from './coordination';
import type { Decision } from './decision';
import { referenceTo, resolveReference, withNewestTokens } from './token-ref';
import { checkSessionReadOnly, liveSessionReadOnly, type ReadOnlyVerdict, validateSession, type ValidateDeps, type ValidateOptions } from './validate';

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

const MEMO_TTL_SEC = 300;

/**
 * Opens a session cookie; a reference (reference mode) gets its tokens from the registry
 * when its generation is still the current one. A database failure throws: the callers
 * answer 503 "try again", never a sign-out.
 */
async function openCookie(sealed: string): Promise<Unsealed | undefined> {
  const settings = cookieSettings();
  const opened = await unsealSession(sealed, settings);
  if (!opened || !isReference(opened.session)) return opened;
  const session = await resolveReference(db(), opened.session, settings);
  return session && { session, stale: opened.stale };
}

function unsealMemo(): UnsealMemo {
  globalForAuth.renewalUnsealMemo ??= createUnsealMemo(openCookie, {
    policy: env().session,
    maxEntries: env().session.unsealMemoSize,
    ttlSec: MEMO_TTL_SEC,
  });
  return globalForAuth.renewalUnsealMemo;
}

function renewer(): Renewer {
  const { session, identity } = env();
  globalForAuth.renewalRenewer ??= createRenewer({
    db: db(),
    cookie: cookieSettings(),
    graceSec: session.graceSec,
    refreshTimeoutMs: session.refreshTimeoutMs,
    refresh: refreshGrant,
    probe: probeRefreshToken,
    revoke: revokeRefreshToken,
    claims: { refreshIntervalSec: identity.claimsRefreshSec, userinfo: readUserInfo },
    now: nowSeconds,
  });
  return globalForAuth.renewalRenewer;
}

function validateDeps(): ValidateDeps {
  const { session, databaseUrl } = env();
  followEndedSessions(databaseUrl);
  return {
    policy: session,
    unseal: (sealed) => unsealMemo().unseal(sealed, nowSeconds()),
    checkRegistry: (data, now, activity) => checkRegistry(data, now, session, activity),
    renew: (data, now) => withSpan('renewal.renew', { 'renewal.session': sessionHandle(data.sid) }, () => renewer()(data, now), (outcome) => ({ 'renewal.outcome': outcome.kind })),
  };
}

/** For renders: the registry's verdict may be the last one read when the database does not answer. */
function renderDeps(): Omit<ValidateDeps, 'renew'> {
  const { session } = env();
  return { ...validateDeps(), checkRegistry: (data, now) => checkRegistryOrLastKnown(data, now, session) };
}

/** Validates the session cookie in `jar`, renewing when due: the proxy, route handlers and server actions. */
export async function validateRequest(jar: CookieJar, options?: ValidateOptions): Promise<Decision> {
  // Retention rides on the request path: no timer to keep alive, nothing while idle.
  pruneHourly();
  return validateSession(readSessionCookie(jar, env().secureCookies), nowSeconds(), validateDeps(), options);
}

/** The live session in `jar`'s cookie, its access token aside: for page chrome only. */
export async function readLiveSession(jar: CookieJar): Promise<SessionPayload | undefined> {
  return liveSessionReadOnly(readSessionCookie(jar, env().secureCookies), nowSeconds(), renderDeps());
}

/** The read-only check of the session cookie in `jar`, for Server Components. */
export async function checkRequestReadOnly(jar: CookieJar): Promise<ReadOnlyVerdict> {
  return checkSessionReadOnly(readSessionCookie(jar, env().secureCookies), nowSeconds(), renderDeps());
}

/**
 * The session sealed in `sealed`, if it unseals; says nothing about whether it is still
 * alive. For ending or continuing it (sign-out, signing in again), never for admitting a
 * request: a reference cookie of a replaced generation comes with the registry's newest
 * tokens.
 */
export async function readSession(sealed: string | undefined): Promise<SessionData | undefined> {
  const session = sealed ? (await unsealMemo().unseal(sealed, nowSeconds()))?.session : undefined;
  return session && isReference(session) ? withNewestTokens(db(), session, cookieSettings()) : session;
}

/**
 * Seals a session for its cookie — with its tokens when they fit the cookie budget, else a
 * reference to the registry's copy (reference mode) — and remembers it with its tokens, so
 * the rest of this request, and this process, read them without the registry. Every
 * cookie write (sign-in, renewal, adoption, silent re-authentication, secret rotation)
 * comes through here. Throws when even the reference is over the budget, which the
 * callback checks for at sign-in (`cookieFits`).
 */
export async function sealForCookie(session: SessionData): Promise<string> {
  const sealed = await sealSessionCookie(session, referenceTo(session), cookieSettings());
  if (sealed === undefined) throw new RangeError('renewal: this session\'s cookie is over the budget even without its tokens');
  observeCookieSize(sealed.length);
  unsealMemo().remember(sealed, { session, stale: false }, nowSeconds());
  return sealed;
}

/** Whether `session` can have a cookie at all: its tokens always can (reference mode), its profile claims must fit. */
export async function cookieFits(session: SessionData): Promise<boolean> {
  return (await sealSessionCookie(session, referenceTo(session), cookieSettings())) !== undefined;
}

/** Stops this process from accepting a session it has just revoked. */
export function forgetSession(sid: string): void {
  forgetRegistryVerdict(sid);
  unsealMemo().forgetSession(sid);
}
