import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, decodeProtectedHeader, errors, importJWK, type JWK, type JWTPayload, jwtVerify, type ProtectedHeaderParameters } from 'jose';
import { createReplayCache, type ReplayCache } from './replay-cache.js';

/**
 * The DPoP rules of a resource server (RFC 9449 §7): a token bound to a key (`cnf.jkt`)
 * is taken only under the DPoP scheme with a proof (§4.3) made by that key for this very
 * request; a token bound to nothing is taken only as a bearer token. A bound token
 * copied from a log or replayed by a downstream service is useless without the key.
 */

/** The proof algorithms taken, as the `algs` of a DPoP challenge names them: asymmetric only, so the key in the header cannot also be the secret. */
export const DPOP_ALGORITHMS = ['ES256', 'PS256', 'EdDSA', 'RS256'];

/** How far a proof's `iat` may be from now, in the past or the future: clocks differ, and a proof is made just before it is sent. */
const IAT_WINDOW_SEC = 60;
/** A proof first seen at t can pass the iat check until t + 2 × window (its iat may be up to a window ahead); its jti is kept that long. */
const REPLAY_TTL_SEC = 2 * IAT_WINDOW_SEC;
const REPLAY_CAPACITY = 100_000;
/** Imported proof keys kept per process: importing is most of a proof's cost (about 0.7 ms of 1). */
const KEY_CAPACITY = 10_000;
/** JWK members that hold private or symmetric key material (RFC 7518 §6; `priv` for the AKP keys jose also reads). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'];

export type DpopVerdict = { readonly ok: true } | { readonly ok: false; readonly error: 'invalid_dpop_proof' | 'invalid_token'; readonly description: string };

/** An access token as presented, after its signature and claims were checked. */
export interface DpopPresentation {
  readonly scheme: 'Bearer' | 'DPoP';
  readonly accessToken: string;
  readonly claims: JWTPayload;
  /** Every DPoP header field the request carried. */
  readonly proofs: readonly string[];
  readonly method: string;
  /** The URL the request was sent to; query and fragment play no part. */
  readonly url: URL;
}

export interface DpopOptions {
  /** Epoch seconds. */
  readonly now?: () => number;
  readonly replays?: ReplayCache;
}

type ProofKey = Awaited<ReturnType<typeof importJWK>>;

/**
 * Proof keys, imported once each. Keyed by the thumbprint, which the caller has already
 * matched with the token's `cnf.jkt` (so only keys that tokens name take room), and the
 * alg: an RSA key may sign PS256 or RS256. The thumbprint covers every member that makes
 * the public key (RFC 7638), so a cached import is the key the header holds.
 */
function createKeyCache(capacity: number) {
  const keys = new Map<string, Promise<ProofKey>>();
  return function proofKey(jwk: JWK, thumbprint: string, alg: string): Promise<ProofKey> {
    const id = `${alg} ${thumbprint}`;
    const found = keys.get(id);
    if (found) return found;
    const imported = importJWK(jwk, alg);
    // A key that does not import is not kept: the next proof with it fails afresh.
    imported.catch(() => keys.delete(id));
    if (keys.size >= capacity) keys.delete(keys.keys().next().value!);
    keys.set(id, imported);
    return imported;
  };
}

const refuseToken = (description: string): DpopVerdict => ({ ok: false, error: 'invalid_token', description });
const refuseProof = (description: string): DpopVerdict => ({ ok: false, error: 'invalid_dpop_proof', description });

/** What `cnf` (RFC 7800) binds the token to: nothing, a JWK thumbprint, or something this API cannot check (an mTLS certificate). */
function binding(claims: JWTPayload): { readonly to: 'nothing' } | { readonly to: 'key'; readonly jkt: string } | { readonly to: 'unknown' } {
  if (claims.cnf === undefined) return { to: 'nothing' };
  const jkt = (claims.cnf as { jkt?: unknown } | null)?.jkt;
  return typeof jkt === 'string' && jkt !== '' ? { to: 'key', jkt } : { to: 'unknown' };
}

/** Header checks of §4.3 steps 3–6, before the signature: each failure told apart. */
function headerProblem(header: ProtectedHeaderParameters): string | undefined {
  if (header.typ !== 'dpop+jwt') return 'the DPoP proof is not of type dpop+jwt';
  if (typeof header.alg !== 'string' || !DPOP_ALGORITHMS.includes(header.alg)) return `the DPoP proof's alg must be one of ${DPOP_ALGORITHMS.join(', ')}`;
  const jwk = header.jwk as JWK | undefined;
  if (typeof jwk !== 'object' || jwk === null) return 'the DPoP proof carries no public key in its header';
  // A private key in the header would be published with every request; refuse it rather than use its public half.
  if (PRIVATE_MEMBERS.some((member) => member in jwk)) return 'the DPoP proof carries private key material in its header';
  return undefined;
}

/** RFC 9449 §4.3 step 9: same scheme, host, port and path, after URL normalisation (case, default port). */
function sameTarget(htu: unknown, url: URL): boolean {
  if (typeof htu !== 'string') return false;
  let target: URL;
  try {
    target = new URL(htu);
  } catch {
    return false;
  }
  return target.protocol === url.protocol && target.host === url.host && target.pathname === url.pathname;
}

/**
 * A checker of the DPoP rules, with its own replay cache: one per process.
 *
 * @example
 *   const checkDpop = createDpopChecker();
 *   const verdict = await checkDpop({ scheme: 'DPoP', accessToken, claims, proofs: [proof], method: 'GET', url });
 */
export function createDpopChecker({ now = () => Math.floor(Date.now() / 1000), replays = createReplayCache(REPLAY_TTL_SEC, REPLAY_CAPACITY) }: DpopOptions = {}) {
  const proofKey = createKeyCache(KEY_CAPACITY);

  async function checkProof(proof: string, presented: DpopPresentation, jkt: string): Promise<DpopVerdict> {
    let header: ProtectedHeaderParameters;
    try {
      header = decodeProtectedHeader(proof);
    } catch {
      return refuseProof('the DPoP proof is not a JWT');
    }
    const problem = headerProblem(header);
    if (problem) return refuseProof(problem);
    const jwk = header.jwk as JWK;
    const at = now();
    let payload: JWTPayload;
    try {
      // The key first: a proof by a key the token is not bound to is refused before any signature work.
      if ((await calculateJwkThumbprint(jwk, 'sha256')) !== jkt) return refuseProof('the DPoP proof is signed by another key than the token is bound to');
      const key = await proofKey(jwk, jkt, header.alg!);
      ({ payload } = await jwtVerify(proof, key, { typ: 'dpop+jwt', algorithms: DPOP_ALGORITHMS, currentDate: new Date(at * 1000) }));
    } catch (error) {
      return refuseProof(error instanceof errors.JOSEError ? `the DPoP proof does not verify (${error.code})` : 'the DPoP proof could not be checked');
    }
    if (payload.htm !== presented.method) return refuseProof('the DPoP proof is for another method');
    if (!sameTarget(payload.htu, presented.url)) return refuseProof('the DPoP proof is for another URL');
    if (typeof payload.iat !== 'number') return refuseProof('the DPoP proof has no iat');
    if (payload.iat < at - IAT_WINDOW_SEC) return refuseProof(`the DPoP proof is too old (iat more than ${IAT_WINDOW_SEC} s in the past)`);
    if (payload.iat > at + IAT_WINDOW_SEC) return refuseProof(`the DPoP proof is from the future (iat more than ${IAT_WINDOW_SEC} s ahead)`);
    if (payload.ath !== createHash('sha256').update(presented.accessToken).digest('base64url')) return refuseProof('the DPoP proof is for another access token');
    if (typeof payload.jti !== 'string' || payload.jti === '') return refuseProof('the DPoP proof has no jti');
    // Last, so that only proofs that passed everything else take room in the cache.
    if (!replays.firstUse(payload.jti, at)) return refuseProof('the DPoP proof was used before');
    return { ok: true };
  }

  return async function checkDpop(presented: DpopPresentation): Promise<DpopVerdict> {
    const bound = binding(presented.claims);
    if (bound.to === 'nothing') return presented.scheme === 'DPoP' ? refuseToken('the access token is not bound to a key: present it with the Bearer scheme') : { ok: true };
    if (bound.to === 'unknown') return refuseToken('the access token is bound in a way this API cannot check');
    if (presented.scheme === 'Bearer') return refuseToken('the access token is bound to a key: present it with the DPoP scheme and a proof');
    const [proof, ...more] = presented.proofs;
    if (proof === undefined || more.length > 0) return refuseProof('exactly one DPoP proof is required');
    return checkProof(proof, presented, bound.jkt);
  };
}
