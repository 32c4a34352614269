import 'server-only';
import { createDecipheriv, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';

/**
 * iron-session's `unsealData`, on node:crypto and Node's own base64url: the iron protocol
 * (Fe26.2) as iron-webcrypto implements it, with its defaults (keys derived by PBKDF2-SHA1
 * with one iteration from 256-bit salts, HMAC-SHA256 over the seal's first six fields,
 * AES-256-CBC, 60 s of clock skew on the expiry), checked in the same order: format,
 * expiry, password id, HMAC in constant time, then decryption.
 *
 * Why not iron-webcrypto's own unseal: a cookie seen for the first time (after a restart,
 * on another instance, or past the unseal memo) pays it all. Through Node's WebCrypto
 * each of its seven primitive calls goes through the thread pool (about 0.1 ms each), and
 * its base64url decoder, a loop in JavaScript, took a quarter of a first sight's time
 * (`npm run bench`, micro). sealed-cookie.test.ts proves this and iron-session agree on
 * good, tampered, foreign, expired and malformed seals.
 */

/** iron-session 8's seals end in `~2`: the format version of its payload. */
const SEAL_VERSION_SUFFIX = '~2';
const MAC_PREFIX = 'Fe26.2';
const TIMESTAMP_SKEW_MS = 60_000;
const MIN_PASSWORD_LENGTH = 32;
const KEY_BYTES = 32;

function deriveKey(password: string, salt: string): Buffer {
  return pbkdf2Sync(password, salt, 1, KEY_BYTES, 'sha1');
}

/**
 * Opens a seal made by iron-session's `sealData` with one of `password`'s secrets (the
 * seal names which) and checks it has not expired. Throws on anything else. `_ttlSec`:
 * kept for iron-session's signature; the expiry sealed in is what counts, as there.
 */
export async function unsealIron(sealed: string, password: Readonly<Record<number, string>>, _ttlSec: number): Promise<unknown> {
  if (!sealed.endsWith(SEAL_VERSION_SUFFIX)) throw new Error('iron-unseal: not an iron-session v2 seal');
  const parts = sealed.slice(0, -SEAL_VERSION_SUFFIX.length).split('*');
  if (parts.length !== 8) throw new Error('iron-unseal: incorrect number of sealed components');
  const [prefix, passwordId, encryptionSalt, encryptionIv, encrypted, expiration, hmacSalt, hmac] = parts as [string, string, string, string, string, string, string, string];
  if (prefix !== MAC_PREFIX) throw new Error('iron-unseal: wrong mac prefix');
  if (expiration) {
    if (!/^\d+$/.test(expiration)) throw new Error('iron-unseal: invalid expiration');
    if (Number(expiration) <= Date.now() - TIMESTAMP_SKEW_MS) throw new Error('iron-unseal: expired seal');
  }
  const id = passwordId || 'default';
  const secret = Object.hasOwn(password, id) ? (password as Record<string, string>)[id] : undefined;
  if (typeof secret !== 'string') throw new Error(`iron-unseal: cannot find password: ${id}`);
  if (secret.length < MIN_PASSWORD_LENGTH) throw new Error('iron-unseal: password string too short');

  const macBase = parts.slice(0, 6).join('*');
  // Compared as text, as iron does: a differently spelt encoding of the same bytes is refused too.
  const expected = Buffer.from(createHmac('sha256', deriveKey(secret, hmacSalt)).update(macBase).digest('base64url'));
  const given = Buffer.from(hmac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new Error('iron-unseal: bad hmac value');

  const decipher = createDecipheriv('aes-256-cbc', deriveKey(secret, encryptionSalt), Buffer.from(encryptionIv, 'base64url'));
  const plain = Buffer.concat([decipher.update(Buffer.from(encrypted, 'base64url')), decipher.final()]).toString('utf8');
  return JSON.parse(plain);
}
