import 'server-only';
import type { AppConfig } from '../../config';
import { fapi2Gaps, type ProfileMetadata } from '../../fapi2';
import { DPOP_ALGORITHM } from './dpop';

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
export async function checkIdpProfile(oidc: AppConfig['oidc'], timeoutMs: number): Promise<ProfileCheck | undefined> {
  if (oidc.profile !== 'fapi2') return undefined;
  const url = `${oidc.issuer.href.replace(/\/$/, '')}/.well-known/openid-configuration`;
  let metadata: ProfileMetadata & { readonly issuer?: unknown };
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
    if (!response.ok) return { kind: 'unreachable', why: `${url} answered ${response.status}` };
    metadata = (await response.json()) as typeof metadata;
  } catch (error) {
    const cause = (error as { cause?: { code?: unknown } }).cause;
    return { kind: 'unreachable', why: `${url}: ${typeof cause?.code === 'string' ? cause.code : error instanceof Error ? error.message : 'no answer'}` };
  }
  if (metadata.issuer !== oidc.issuer.href && metadata.issuer !== oidc.issuer.href.replace(/\/$/, '')) {
    return { kind: 'lacking', gaps: [`its discovery document names another issuer (${String(metadata.issuer)})`] };
  }
  const gaps = fapi2Gaps(metadata, { clientAssertion: oidc.clientAuthentication.signingKey!.alg, dpopProof: DPOP_ALGORITHM });
  return gaps.length > 0 ? { kind: 'lacking', gaps } : { kind: 'conforms' };
}
