/**
 * cookie/ — the sealed session cookie: sealing, unsealing and chunking (here), a faster
 * unseal (iron-unseal.ts) and the per-process memo of unsealed cookies. A bottom layer:
 * it uses only the shared modules at lib/auth's top.
 */
import 'server-only';
import { sealData } from 'iron-session';
import { isReference, type SessionData, type SessionPayload, sessionPayloadSchema, type SessionReference, type TokenSet, tokenSetSchema } from '../session-payload';
import { unsealIron } from './iron-unseal';

/**
 * The only module that seals and unseals: the session cookie (with chunking for large
 * IdP tokens) and the token set kept sealed in the registry for refresh coordination.
 */
export interface SessionKeys {
  /** Secret id → secret. Every id unseals. */
  readonly secrets: Readonly<Record<number, string>>;
  /**
   * The id that seals; default the highest. Naming an older id lets a rolling deploy give
   * every instance a new secret before any instance seals with it (staged rotation).
   */
  readonly sealingSecretId?: number;
}

export interface CookieSettings extends SessionKeys {
  readonly secure: boolean;
  readonly absoluteLifetimeSec: number;
}

/** A cookie to write on the response: a value to set, or an empty value to clear. */
export interface CookieWrite {
  readonly name: string;
  readonly value: string;
  readonly options: {
    httpOnly: true;
    secure: boolean;
    sameSite: 'lax';
    path: '/';
    maxAge: number;
  };
}

export interface CookieJar {
  get(name: string): { value: string } | undefined;
  getAll(): Array<{ name: string }>;
}

/** Browsers drop cookies over ~4096 bytes including name and attributes. */
const CHUNK_SIZE = 3800;
/** Chunks read and cleared; COOKIE_BUDGET keeps the ones written to four. */
const MAX_CHUNKS = 10;
/**
 * The largest sealed session ever written to a cookie. Node (and so `next start`) refuses
 * requests with over 16 KB of headers (431): a bigger cookie would lock its owner out of
 * every page, sign-out included, until it expired. The rest is left for the other headers.
 */
export const COOKIE_BUDGET = 12_000;

export function sessionCookieName(secure: boolean): string {
  // __Host- binds the cookie to this exact origin: Secure, Path=/ and no Domain.
  return secure ? '__Host-renewal-session' : 'renewal-session';
}

function chunkName(base: string, index: number): string {
  return index === 0 ? base : `${base}.${index}`;
}

/**
 * An iron seal ends with `~<version>` and holds no other `~` (its fields are base64url,
 * digits and `*`), so the joined chunks form a whole seal once a `~` is followed by
 * something.
 */
function isWholeSeal(joined: string): boolean {
  const delimiter = joined.indexOf('~');
  return delimiter !== -1 && delimiter < joined.length - 1;
}

/**
 * The sealed session as the browser sent it, chunks joined; undefined when absent.
 *
 * Joining stops at the end of the seal, never at the last chunk present: responses with
 * different chunk counts can interleave (A sets A0 and A1; B, whose request carried one
 * chunk, sets only B0 and clears nothing), leaving the browser with B0 + A1. The chunks
 * of the response applied last always come first, so reading up to the seal's end gives
 * that response's session and ignores what other responses left behind. The cookie
 * format is unchanged, so instances on either side of a rolling deploy read each other's.
 */
export function readSessionCookie(jar: CookieJar, secure: boolean): string | undefined {
  const base = sessionCookieName(secure);
  const first = jar.get(base)?.value;
  if (!first) return undefined;
  let sealed = first;
  for (let i = 1; i < MAX_CHUNKS && !isWholeSeal(sealed); i++) {
    const next = jar.get(chunkName(base, i))?.value;
    if (!next) break;
    sealed += next;
  }
  return sealed;
}

function cookieOptions(settings: CookieSettings, maxAge: number): CookieWrite['options'] {
  return { httpOnly: true, secure: settings.secure, sameSite: 'lax', path: '/', maxAge };
}

/** How many chunk positions the browser holds: one past the highest chunk index sent. */
function existingChunkCount(jar: CookieJar, base: string): number {
  let count = 0;
  for (const { name } of jar.getAll()) {
    const index = name === base ? 0 : name.startsWith(`${base}.`) ? Number(name.slice(base.length + 1)) : NaN;
    if (Number.isInteger(index) && index >= 0 && index < MAX_CHUNKS) count = Math.max(count, index + 1);
  }
  return count;
}

/**
 * The cookies that store `sealed`, split into chunks when large, plus clears for chunks
 * the browser holds from an earlier, larger session. A seal over COOKIE_BUDGET is refused
 * (sealSessionCookie never makes one): writing it would lock its owner out.
 */
export function sessionCookieWrites(sealed: string, jar: CookieJar, settings: CookieSettings, maxAgeSec: number): CookieWrite[] {
  if (sealed.length > COOKIE_BUDGET) throw new RangeError(`renewal: a sealed session of ${sealed.length} bytes is over the ${COOKIE_BUDGET}-byte cookie budget`);
  const base = sessionCookieName(settings.secure);
  const writes: CookieWrite[] = [];
  const count = Math.ceil(sealed.length / CHUNK_SIZE);
  for (let i = 0; i < count; i++) {
    writes.push({ name: chunkName(base, i), value: sealed.slice(i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE), options: cookieOptions(settings, maxAgeSec) });
  }
  for (let i = count; i < existingChunkCount(jar, base); i++) {
    writes.push({ name: chunkName(base, i), value: '', options: cookieOptions(settings, 0) });
  }
  return writes;
}

/** Clears every chunk of the session cookie the browser sent (at least the first). */
export function sessionCookieClears(jar: CookieJar, settings: CookieSettings): CookieWrite[] {
  const base = sessionCookieName(settings.secure);
  const count = Math.max(1, existingChunkCount(jar, base));
  return Array.from({ length: count }, (_, i) => ({ name: chunkName(base, i), value: '', options: cookieOptions(settings, 0) }));
}

function newestSecretId(secrets: Readonly<Record<number, string>>): number {
  return Math.max(...Object.keys(secrets).map(Number));
}

function sealingId(keys: SessionKeys): number {
  return keys.sealingSecretId ?? newestSecretId(keys.secrets);
}

/**
 * The password map to seal with. iron-session seals with the highest id of the map it is
 * given, so it gets the sealing secret alone.
 */
function sealingPassword(keys: SessionKeys): Record<number, string> {
  const id = sealingId(keys);
  const secret = keys.secrets[id];
  if (secret === undefined) throw new TypeError(`renewal: the sealing secret id ${id} is not one of the session secrets`);
  return { [id]: secret };
}

function sealTtl(settings: CookieSettings): number {
  // The seal outlives the cookie by a minute, so an expired seal is never the reason a
  // session ends: the lifetime checks in validateSession are.
  return settings.absoluteLifetimeSec + 60;
}

/**
 * The cookie never carries the ID token: only sign-out uses it (as id_token_hint), the
 * registry's sealed token set keeps it, and it is often the largest token of the three —
 * directory groups can make a cookie too big for servers' header limits.
 */
export async function sealSession(payload: SessionPayload, settings: CookieSettings): Promise<string> {
  const options = { password: sealingPassword(settings), ttl: sealTtl(settings) };
  if (isReference(payload)) return sealData(payload, options);
  const { idToken: _inRegistry, ...tokens } = payload.tokens;
  return sealData({ ...payload, tokens }, options);
}

/**
 * Seals `session` for its cookie within COOKIE_BUDGET: carrying its tokens when they fit
 * (the format every instance reads), else as `reference` to the registry's copy of them
 * (reference mode). Undefined when even the reference does not fit: only absurd profile
 * claims (name, email, subject) get there.
 */
export async function sealSessionCookie(session: SessionData, reference: SessionReference, settings: CookieSettings): Promise<string | undefined> {
  const carrying = await sealSession(session, settings);
  if (carrying.length <= COOKIE_BUDGET) return carrying;
  const referring = await sealSession(reference, settings);
  return referring.length <= COOKIE_BUDGET ? referring : undefined;
}

export interface Unsealed {
  /** A reference (reference mode) until its tokens are looked up in the registry. */
  readonly session: SessionPayload;
  /** Sealed with a secret older than the sealing one: rewrite it with the sealing secret. */
  readonly stale: boolean;
}

/**
 * Opens a sealed session. Anything that is not a seal made by us with a current secret
 * and a payload of the current version yields undefined, never an exception.
 */
export async function unsealSession(sealed: string, settings: CookieSettings): Promise<Unsealed | undefined> {
  try {
    const raw = await unsealIron(sealed, settings.secrets, sealTtl(settings));
    const parsed = sessionPayloadSchema.safeParse(raw);
    if (!parsed.success) return undefined;
    // Only an older secret makes a seal stale. One sealed with a newer secret comes from an
    // instance already past this one in a staged rotation: rewriting it back would have
    // instances of the two stages rewrite each other's cookies on every request.
    const secretId = Number(sealed.split('*')[1]);
    return { session: parsed.data, stale: secretId < sealingId(settings) };
  } catch {
    return undefined;
  }
}

/** Seals any small value (the sign-in transaction) for `ttlSec` seconds, with the sealing secret. */
export async function sealValue(value: object, keys: SessionKeys, ttlSec: number): Promise<string> {
  return sealData(value, { password: sealingPassword(keys), ttl: ttlSec });
}

/** Opens a value sealed by sealValue; undefined when tampered, expired or foreign. */
export async function unsealValue(sealed: string, keys: SessionKeys, ttlSec: number): Promise<unknown> {
  try {
    return await unsealIron(sealed, keys.secrets, ttlSec);
  } catch {
    return undefined;
  }
}

/** Seals the token set the registry keeps, with the sealing secret, as the cookie. */
export async function sealTokens(tokens: TokenSet, settings: CookieSettings): Promise<string> {
  return sealData(tokens, { password: sealingPassword(settings), ttl: sealTtl(settings) });
}

export async function unsealTokens(sealed: string, settings: CookieSettings): Promise<TokenSet | undefined> {
  try {
    const parsed = tokenSetSchema.safeParse(await unsealIron(sealed, settings.secrets, sealTtl(settings)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
