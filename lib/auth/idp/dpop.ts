import 'server-only';
import { createHash, randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import * as client from 'openid-client';
import type { DpopKey } from '../session-payload';

/**
 * DPoP (RFC 9449): each session proves possession of its own key, so an access token that
 * leaks — from a log, a proxy, a downstream API — is worthless without it. The key is
 * made at sign-in and kept, private half included, in the sealed session (the cookie, and
 * the registry's copy): every instance can prove possession for every session without a
 * shared key to rotate, and one session's key opens nothing of another's. It is exactly as
 * protected as the refresh token beside it (docs/ARCHITECTURE.md, "DPoP").
 */
export const DPOP_ALGORITHM = 'ES256';

/** A new key for a new session: ES256 (P-256), the algorithm every DPoP server accepts. */
export async function newDpopKey(): Promise<DpopKey> {
  const { privateKey } = await generateKeyPair(DPOP_ALGORITHM, { extractable: true });
  const { x, y, d } = await exportJWK(privateKey);
  return { kty: 'EC', crv: 'P-256', x: x!, y: y!, d: d! };
}

interface LoadedKey {
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
  readonly handle: client.DPoPHandle;
}

/** Imported keys and their openid-client handles (which keep the IdP's DPoP nonce), by public key. */
const loaded = new Map<string, LoadedKey>();
const MAX_LOADED = 10_000;

async function load(config: client.Configuration, key: DpopKey): Promise<LoadedKey> {
  const id = `${key.x}.${key.y}`;
  const found = loaded.get(id);
  if (found) return found;
  const publicJwk: JWK = { kty: key.kty, crv: key.crv, x: key.x, y: key.y };
  const privateKey = (await importJWK({ ...publicJwk, d: key.d }, DPOP_ALGORITHM)) as CryptoKey;
  const publicKey = (await importJWK(publicJwk, DPOP_ALGORITHM, { extractable: true })) as CryptoKey;
  const entry = { privateKey, publicJwk, handle: client.getDPoPHandle(config, { privateKey, publicKey }) };
  if (loaded.size >= MAX_LOADED) loaded.delete(loaded.keys().next().value!);
  loaded.set(id, entry);
  return entry;
}

/** The `{ DPoP }` option of openid-client's grants for a session holding `key`; none without a key. */
export async function dpopOption(config: client.Configuration, key: DpopKey | undefined): Promise<client.DPoPOptions> {
  return key ? { DPoP: (await load(config, key)).handle } : {};
}

/**
 * The DPoP proof of one call to a resource server (RFC 9449 §4.2, §7): this method and
 * URL (without query or fragment), bound to the access token by `ath`.
 */
export async function resourceProof(config: client.Configuration, key: DpopKey, method: string, url: URL, accessToken: string): Promise<string> {
  const { privateKey, publicJwk } = await load(config, key);
  return new SignJWT({
    htm: method,
    htu: `${url.origin}${url.pathname}`,
    jti: randomBytes(16).toString('base64url'),
    ath: createHash('sha256').update(accessToken).digest('base64url'),
  })
    .setProtectedHeader({ alg: DPOP_ALGORITHM, typ: 'dpop+jwt', jwk: publicJwk })
    .setIssuedAt()
    .sign(privateKey);
}
