import 'server-only';
import { createDecipheriv, createHmac, pbkdf2Sync } from 'node:crypto';
import { defaults, unseal } from 'iron-webcrypto';

/**
 * iron-session's `unsealData`, with its cryptographic primitives run by node:crypto
 * instead of WebCrypto. The iron protocol itself — parsing, the HMAC check in constant
 * time, expiry, password ids — stays iron-webcrypto's own code; only the primitives it
 * calls (PBKDF2-SHA1, HMAC-SHA256, AES-256-CBC) run synchronously here.
 *
 * Why: Node's WebCrypto sends each of the seven primitive calls of an unseal through the
 * thread pool, about 0.1 ms each, and a cookie seen for the first time (after a restart,
 * or on another instance) pays all of them. `npm run bench` measures both.
 * sealed-cookie.test.ts proves both ways agree on good, tampered and expired seals.
 */

/** A key as WebCrypto's importKey would hold it: raw bytes and the algorithm they are for. */
interface RawKey {
  readonly raw: Buffer;
  readonly algorithm: { readonly name: string; readonly hash?: string | { readonly name: string } };
}

const HASHES: Readonly<Record<string, string>> = { 'SHA-1': 'sha1', 'SHA-256': 'sha256' };

function hashName(hash: string | { readonly name: string } | undefined): string {
  const name = typeof hash === 'string' ? hash : hash?.name;
  const node = name ? HASHES[name] : undefined;
  if (!node) throw new TypeError(`iron-unseal: unsupported hash ${String(name)}`);
  return node;
}

function bytes(data: ArrayBuffer | ArrayBufferView): Buffer {
  return ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);
}

/** The few SubtleCrypto calls iron-webcrypto's unseal makes, and nothing else. */
const subtle = {
  async importKey(format: string, keyData: ArrayBuffer | ArrayBufferView, algorithm: RawKey['algorithm']): Promise<RawKey> {
    if (format !== 'raw') throw new TypeError(`iron-unseal: unsupported key format ${format}`);
    return { raw: Buffer.from(bytes(keyData)), algorithm };
  },
  async deriveBits(params: { name: string; hash: string; salt: ArrayBuffer | ArrayBufferView; iterations: number }, key: RawKey, length: number): Promise<Buffer> {
    if (params.name !== 'PBKDF2' || key.algorithm.name !== 'PBKDF2') throw new TypeError('iron-unseal: deriveBits supports PBKDF2 only');
    return pbkdf2Sync(key.raw, bytes(params.salt), params.iterations, length / 8, hashName(params.hash));
  },
  async sign(algorithm: { name: string }, key: RawKey, data: ArrayBuffer | ArrayBufferView): Promise<Buffer> {
    if (algorithm.name !== 'HMAC' || key.algorithm.name !== 'HMAC') throw new TypeError('iron-unseal: sign supports HMAC only');
    return createHmac(hashName(key.algorithm.hash), key.raw).update(bytes(data)).digest();
  },
  async decrypt(params: { name: string; iv: ArrayBuffer | ArrayBufferView }, key: RawKey, data: ArrayBuffer | ArrayBufferView): Promise<Buffer> {
    if (params.name !== 'AES-CBC' || key.algorithm.name !== 'AES-CBC' || key.raw.length !== 32) throw new TypeError('iron-unseal: decrypt supports AES-256-CBC only');
    const decipher = createDecipheriv('aes-256-cbc', key.raw, bytes(params.iv));
    return Buffer.concat([decipher.update(bytes(data)), decipher.final()]);
  },
};

const nodeCrypto = { subtle } as unknown as Parameters<typeof unseal>[0];

/** iron-session 8's seals end in `~2`: the format version of its payload. */
const SEAL_VERSION_SUFFIX = '~2';

/**
 * Opens a seal made by iron-session's `sealData` with one of `password`'s secrets (the
 * seal names which) and checks it is not older than `ttlSec`. Throws on anything else.
 */
export async function unsealIron(sealed: string, password: Readonly<Record<number, string>>, ttlSec: number): Promise<unknown> {
  if (!sealed.endsWith(SEAL_VERSION_SUFFIX)) throw new Error('iron-unseal: not an iron-session v2 seal');
  const passwords = Object.fromEntries(Object.entries(password).map(([id, secret]) => [id, secret]));
  return unseal(nodeCrypto, sealed.slice(0, -SEAL_VERSION_SUFFIX.length), passwords, { ...defaults, ttl: ttlSec * 1000 });
}
