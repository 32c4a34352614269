import 'server-only';
import { type DpopKey, type IdentityClaims, identityClaims, type ProfileClaims, type SessionData } from '../session-payload';

/**
 * What a renewal tells the app about the person. The refreshed ID token's profile claims
 * when it carries any; otherwise userinfo, asked at most once per CLAIMS_REFRESH_INTERVAL
 * and only by a renewal — never on the path of a request whose token is still valid.
 */
export interface ClaimsSource {
  readonly refreshIntervalSec: number;
  /** The IdP's userinfo for `subject` (a different `sub` is refused), with a proof of `dpopKey` when the token is bound to it; undefined when it cannot be read. */
  userinfo(accessToken: string, subject: string, dpopKey: DpopKey | undefined): Promise<ProfileClaims | undefined>;
}

/**
 * What to publish about the person with a renewal's tokens: every token set in the
 * registry carries the newest word, so a request that adopts it — however many
 * generations behind — shows what the IdP said last. `sent`: the refreshed ID token's
 * profile claims, if it had any. The last authentication is the session's: a refreshed ID
 * token's `auth_time` is the grant's original one (OIDC Core 12.2).
 */
export async function claimsAfterRenewal(session: SessionData, sent: ProfileClaims | undefined, accessToken: string, now: number, source: ClaimsSource | undefined): Promise<IdentityClaims> {
  const current = identityClaims(session);
  if (sent) return merged(current, sent, now);
  if (!source || now - current.readAt < source.refreshIntervalSec) return current;
  // A failed read keeps what we know and is tried again at the next renewal.
  const read = await source.userinfo(accessToken, session.sub, session.dpopKey).catch(() => undefined);
  return read ? merged(current, read, now) : current;
}

/** A claim the IdP sent replaces ours; one it left out keeps ours. */
function merged(current: IdentityClaims, sent: ProfileClaims, readAt: number): IdentityClaims {
  return { ...current, name: sent.name ?? current.name, email: sent.email ?? current.email, readAt };
}
