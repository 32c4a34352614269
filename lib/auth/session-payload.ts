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

/** The payload sealed into the session cookie. A new shape gets a new `v`. */
export const sessionDataSchema = z.object({
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
  tokens: tokenSetSchema,
});
export type SessionData = z.infer<typeof sessionDataSchema>;
