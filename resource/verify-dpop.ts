import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, errors, type JWK, jwtVerify } from 'jose';

/**
 * Checks a DPoP proof (RFC 9449 §4.3, §7.1) for one request: a JWT of type dpop+jwt,
 * signed with an asymmetric key whose public half is in its header, made for this very
 * method and URL, recently, never seen before, for this access token (`ath`), by the key
 * the token is bound to (`cnf.jkt`). A token copied without its key cannot make one.
 */
export const DPOP_ALGORITHMS = ['ES256', 'PS256', 'EdDSA', 'RS256'];

/** How far a proof's `iat` may be from now, either way: clocks differ, and a proof is made just before it is sent. */
const IAT_WINDOW_SEC = 60;
/** Proof ids remembered, to refuse a replay within the window; oldest forgotten first past this. */
const MAX_JTIS = 100_000;

export interface ProofRequest {
  readonly proof: string;
  readonly method: string;
  /** The URL the request was sent to; its query and fragment are not part of `htu`. */
  readonly url: URL;
  readonly accessToken: string;
  /** The token's `cnf.jkt`: the thumbprint of the key it is bound to. */
  readonly jkt: string;
}

export type ProofVerdict = { readonly ok: true } | { readonly ok: false; readonly description: string };

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

export function createDpopChecker(now: () => number = () => Date.now() / 1000) {
  /** jti → when it stops mattering (epoch seconds). */
  const seen = new Map<string, number>();

  function remember(jti: string, at: number): boolean {
    const expiry = seen.get(jti);
    if (expiry !== undefined && expiry > at) return false;
    if (seen.size >= MAX_JTIS) seen.delete(seen.keys().next().value!);
    seen.set(jti, at + 2 * IAT_WINDOW_SEC);
    return true;
  }

  return async function check(request: ProofRequest): Promise<ProofVerdict> {
    let header;
    try {
      header = decodeProtectedHeader(request.proof);
    } catch {
      return { ok: false, description: 'the DPoP proof is not a JWT' };
    }
    const jwk = header.jwk as JWK | undefined;
    if (!jwk || PRIVATE_MEMBERS.some((member) => member in jwk)) return { ok: false, description: 'the DPoP proof must carry a public key in its header' };
    let payload;
    try {
      ({ payload } = await jwtVerify(request.proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: DPOP_ALGORITHMS }));
    } catch (error) {
      return { ok: false, description: error instanceof errors.JOSEError ? `the DPoP proof does not verify (${error.code})` : 'the DPoP proof could not be checked' };
    }
    if (payload.htm !== request.method) return { ok: false, description: 'the DPoP proof is for another method' };
    if (payload.htu !== `${request.url.origin}${request.url.pathname}`) return { ok: false, description: 'the DPoP proof is for another URL' };
    const at = now();
    if (typeof payload.iat !== 'number' || payload.iat < at - IAT_WINDOW_SEC) return { ok: false, description: 'the DPoP proof is too old' };
    if (payload.iat > at + IAT_WINDOW_SEC) return { ok: false, description: 'the DPoP proof is from the future' };
    if (payload.ath !== createHash('sha256').update(request.accessToken).digest('base64url')) return { ok: false, description: 'the DPoP proof is for another access token' };
    if ((await calculateJwkThumbprint(jwk)) !== request.jkt) return { ok: false, description: 'the DPoP proof is signed by another key than the token is bound to' };
    if (typeof payload.jti !== 'string' || payload.jti === '' || !remember(payload.jti, at)) return { ok: false, description: 'the DPoP proof was used before' };
    return { ok: true };
  };
}
