import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * What the IdP last said about the person as of a token set: their profile claims (from
 * an ID token or userinfo) and when they were read, and their last authentication.
 */
export const identityClaimsSchema = z.object({
  name: z.string().optional(),
  email: z.string().optional(),
  /** When the profile claims were read: epoch seconds. */
  readAt: z.number().int(),
  authTime: z.number().int().optional(),
  acr: z.string().optional(),
});
export type IdentityClaims = z.infer<typeof identityClaimsSchema>;
/** Profile claims as an ID token or userinfo sends them; one left out keeps the session's value. */
export type ProfileClaims = Pick<IdentityClaims, 'name' | 'email'>;

/**
 * Every sealed shape below is read loose: a field this version does not know is kept, not
 * stripped, through every rewrite (a renewal spreads the session it renews). In a rolling
 * deploy, an instance one version behind then carries what a newer one added — a DPoP
 * key, a step-up's authentication — instead of dropping it. Only our servers seal, so an
 * unknown field is always one of ours. The types are the known fields alone.
 */

/** What the IdP gave us, as the app keeps it. Times are epoch seconds. */
const tokenSetShape = z.object({
  accessToken: z.string().min(1),
  /** `DPoP`: the access token is bound to the session's DPoP key and goes with a proof (RFC 9449); absent: a bearer token. */
  tokenType: z.literal('DPoP').optional(),
  refreshToken: z.string().min(1).optional(),
  idToken: z.string().min(1).optional(),
  /** When the access token stops being valid. */
  expiresAt: z.number().int(),
  /** When we received it; with expiresAt it gives the token's lifetime. */
  issuedAt: z.number().int(),
  /**
   * What the IdP said about the person as of this set. Only the registry's copy carries
   * it, to every request that adopts the set (a renamed person, a step-up's fresh
   * authentication); `withTokens` moves it onto the session, so a cookie's token set never
   * holds it.
   */
  claims: identityClaimsSchema.optional(),
});
export type TokenSet = z.infer<typeof tokenSetShape>;
export const tokenSetSchema = tokenSetShape.loose();

export const SESSION_PAYLOAD_VERSION = 1;

/** A session's DPoP key (RFC 9449): an EC P-256 private JWK, sealed like the tokens it binds (lib/auth/idp/dpop.ts). */
export const dpopKeySchema = z.object({ kty: z.literal('EC'), crv: z.literal('P-256'), x: z.string().min(1), y: z.string().min(1), d: z.string().min(1) });
export type DpopKey = z.infer<typeof dpopKeySchema>;

/** What every session cookie says, whether it carries its tokens or a reference to them. */
const sessionFields = {
  v: z.literal(SESSION_PAYLOAD_VERSION),
  /** The registry row's id; minted fresh at every sign-in. */
  sid: z.string().min(16),
  userId: z.string().min(1),
  sub: z.string().min(1),
  name: z.string().optional(),
  email: z.string().optional(),
  /** When the IdP last told us `name` and `email` (sign-in, or a renewal that read them): epoch seconds. */
  claimsAt: z.number().int().optional(),
  /**
   * When the person last proved who they are at the IdP (the ID token's `auth_time`), and
   * how (`acr`). Absent when the IdP did not say: a step-up is then always asked for.
   */
  authTime: z.number().int().optional(),
  acr: z.string().optional(),
  /** With OIDC_DPOP=on: the key this session's tokens are bound to, made at sign-in and kept for its whole life. */
  dpopKey: dpopKeySchema.optional(),
  /** Epoch seconds the session began; the absolute lifetime runs from here. */
  createdAt: z.number().int(),
  /** Generation of the token set; the registry holds the newest one. */
  tokenVersion: z.number().int().nonnegative(),
};

/** The payload sealed into the session cookie. A shape older versions cannot read gets a new `v`. */
const sessionDataShape = z.object({ ...sessionFields, tokens: tokenSetShape });
export type SessionData = z.infer<typeof sessionDataShape>;
export const sessionDataSchema = z.looseObject({ ...sessionFields, tokens: tokenSetSchema });

/**
 * Reference mode: the payload of a session whose tokens do not fit in a cookie. The
 * registry row keeps them (sealed, as the newest token set of generation `tokenVersion`);
 * the cookie carries the hash of their refresh token (null: none), which is what refresh
 * coordination compares with the row's history once that generation has been replaced.
 * Instances that predate reference mode refuse such a cookie as unreadable.
 */
const referenceShape = z.object({ ...sessionFields, tokenRef: z.object({ refreshTokenHash: z.string().min(1).nullable() }) });
export type SessionReference = z.infer<typeof referenceShape>;
export const sessionReferenceSchema = referenceShape.loose();

/** What a session cookie holds: the tokens, or (reference mode) which of the registry's they are. */
export const sessionPayloadSchema = z.union([sessionDataSchema, sessionReferenceSchema]);
export type SessionPayload = SessionData | SessionReference;

export function isReference(payload: SessionPayload): payload is SessionReference {
  return 'tokenRef' in payload;
}

/**
 * The session `payload` describes, holding `tokens` as generation `tokenVersion`, and
 * taking what the registry's copy of them says of the person (`claims`: a new name, a
 * step-up's authentication).
 */
export function withTokens(payload: SessionPayload, tokens: TokenSet, tokenVersion = payload.tokenVersion): SessionData {
  const { claims, ...kept } = tokens;
  const fields = isReference(payload) ? withoutReference(payload) : payload;
  return { ...fields, ...(claims ? identityOf(claims) : {}), tokenVersion, tokens: kept };
}

/** The session fields `claims` set. */
function identityOf(claims: IdentityClaims): Pick<SessionData, 'name' | 'email' | 'claimsAt' | 'authTime' | 'acr'> {
  return { name: claims.name, email: claims.email, claimsAt: claims.readAt, authTime: claims.authTime, acr: claims.acr };
}

/** What `session` says of the person, to travel with a token set it publishes. */
export function identityClaims(session: Pick<SessionPayload, 'name' | 'email' | 'claimsAt' | 'createdAt' | 'authTime' | 'acr'>): IdentityClaims {
  return { name: session.name, email: session.email, readAt: session.claimsAt ?? session.createdAt, authTime: session.authTime, acr: session.acr };
}

function withoutReference(reference: SessionReference): Omit<SessionReference, 'tokenRef'> {
  const { tokenRef: _reference, ...fields } = reference;
  return fields;
}

/** Which profile claims `claims` would change in `session`, by name. */
export function changedClaims(session: ProfileClaims, claims: ProfileClaims): Array<'name' | 'email'> {
  return (['name', 'email'] as const).filter((claim) => claims[claim] !== undefined && claims[claim] !== session[claim]);
}

/** The lifetimes every session is held to. */
export interface SessionPolicy {
  readonly absoluteLifetimeSec: number;
  readonly refreshWindowSec: number;
}

/** When `session` ends whatever its tokens: its absolute lifetime from sign-in. */
export function absoluteExpiry(session: Pick<SessionPayload, 'createdAt'>, policy: SessionPolicy): number {
  return session.createdAt + policy.absoluteLifetimeSec;
}

/**
 * A session's public name: a hash of its id, which is a secret (it is in the cookie, and
 * sign-out by id must not be forgeable). The sessions page and the event log use it.
 */
export function sessionHandle(sid: string): string {
  return createHash('sha256').update(sid).digest('base64url').slice(0, 22);
}
