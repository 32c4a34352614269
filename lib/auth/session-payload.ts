import { createHash } from 'node:crypto';
import { z } from 'zod';

/** What the IdP gave us, as the app keeps it. Times are epoch seconds. */
export const tokenSetSchema = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1).optional(),
  idToken: z.string().min(1).optional(),
  /** When the access token stops being valid. */
  expiresAt: z.number().int(),
  /** When we received it; with expiresAt it gives the token's lifetime. */
  issuedAt: z.number().int(),
});
export type TokenSet = z.infer<typeof tokenSetSchema>;

export const SESSION_PAYLOAD_VERSION = 1;

/** What every session cookie says, whether it carries its tokens or a reference to them. */
const sessionFields = {
  v: z.literal(SESSION_PAYLOAD_VERSION),
  /** The registry row's id; minted fresh at every sign-in. */
  sid: z.string().min(16),
  userId: z.string().min(1),
  sub: z.string().min(1),
  name: z.string().optional(),
  email: z.string().optional(),
  /** Epoch seconds the session began; the absolute lifetime runs from here. */
  createdAt: z.number().int(),
  /** Generation of the token set; the registry holds the newest one. */
  tokenVersion: z.number().int().nonnegative(),
};

/** The payload sealed into the session cookie. A new shape gets a new `v`. */
export const sessionDataSchema = z.object({ ...sessionFields, tokens: tokenSetSchema });
export type SessionData = z.infer<typeof sessionDataSchema>;

/**
 * Reference mode: the payload of a session whose tokens do not fit in a cookie. The
 * registry row keeps them (sealed, as the newest token set of generation `tokenVersion`);
 * the cookie carries the hash of their refresh token (null: none), which is what refresh
 * coordination compares with the row's history once that generation has been replaced.
 * Instances that predate reference mode refuse such a cookie as unreadable.
 */
export const sessionReferenceSchema = z.object({
  ...sessionFields,
  tokenRef: z.object({ refreshTokenHash: z.string().min(1).nullable() }),
});
export type SessionReference = z.infer<typeof sessionReferenceSchema>;

/** What a session cookie holds: the tokens, or (reference mode) which of the registry's they are. */
export const sessionPayloadSchema = z.union([sessionDataSchema, sessionReferenceSchema]);
export type SessionPayload = SessionData | SessionReference;

export function isReference(payload: SessionPayload): payload is SessionReference {
  return 'tokenRef' in payload;
}

/** The session `payload` describes, holding `tokens` as generation `tokenVersion`. */
export function withTokens(payload: SessionPayload, tokens: TokenSet, tokenVersion = payload.tokenVersion): SessionData {
  if (isReference(payload)) {
    const { tokenRef: _reference, ...fields } = payload;
    return { ...fields, tokenVersion, tokens };
  }
  return { ...payload, tokenVersion, tokens };
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
