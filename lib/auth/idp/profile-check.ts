import 'server-only';
import { env } from '../../env';
import { fapi2Gaps, type ProfileMetadata } from '../../fapi2';
import { DPOP_ALGORITHM } from './dpop';
import { describeIdpFailure } from './idp-failure';
import { namesConfiguredIssuer, readDiscoveryDocument } from './oidc';

/** What the start-up check found of the IdP, under OIDC_PROFILE. */
export type ProfileCheck =
  | { readonly kind: 'conforms' }
  /** The IdP lacks these: the app must not start (scripts/check-config.ts). */
  | { readonly kind: 'lacking'; readonly gaps: readonly string[] }
  /**
   * The IdP could not be asked. The app starts: an IdP that is down at deploy time must not
   * keep every instance down after it is back; the first discovery checks it instead
   * (oidc.ts, refuseNonConformingIdp).
   */
  | { readonly kind: 'unreachable'; readonly why: string };

/**
 * Reads the IdP's discovery document afresh and lists everything OIDC_PROFILE needs that it
 * does not offer (lib/fapi2.ts); undefined when no profile is set.
 */
export async function checkIdpProfile(): Promise<ProfileCheck | undefined> {
  const { oidc } = env();
  if (oidc.profile !== 'fapi2') return undefined;
  let metadata: ProfileMetadata & { readonly issuer?: unknown };
  try {
    metadata = await readDiscoveryDocument();
  } catch (error) {
    return { kind: 'unreachable', why: describeIdpFailure(error) };
  }
  if (!namesConfiguredIssuer(metadata)) return { kind: 'lacking', gaps: [`its discovery document names another issuer (${String(metadata.issuer)})`] };
  const gaps = fapi2Gaps(metadata, { clientAssertion: oidc.clientAuthentication.signingKey!.alg, dpopProof: DPOP_ALGORITHM });
  return gaps.length > 0 ? { kind: 'lacking', gaps } : { kind: 'conforms' };
}
