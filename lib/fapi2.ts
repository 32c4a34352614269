/**
 * OIDC_PROFILE=fapi2: the FAPI 2.0 Security Profile as a relying party meets it. The app's
 * own side (private_key_jwt, PAR, DPoP, PKCE S256, the algorithms) is settled when the
 * configuration is parsed (lib/idp-settings.ts); this module says what the IdP must offer,
 * read from its discovery document, so that an IdP lacking any of it is named at start with
 * every gap at once (scripts/check-config.ts), and never met as one failed sign-in after
 * another. Pure: the start-up script and the app use the same rules.
 */

/** The only JWS algorithms FAPI 2.0 allows (Security Profile, cryptography): for ID tokens, client assertions, DPoP proofs. */
export const FAPI2_ALGORITHMS: readonly string[] = ['PS256', 'ES256', 'EdDSA'];

/** The discovery metadata (RFC 8414, OIDC Discovery, RFC 9126, RFC 9207, RFC 9449) the profile needs. */
export interface ProfileMetadata {
  readonly pushed_authorization_request_endpoint?: string;
  readonly dpop_signing_alg_values_supported?: readonly string[];
  readonly token_endpoint_auth_methods_supported?: readonly string[];
  readonly token_endpoint_auth_signing_alg_values_supported?: readonly string[];
  readonly code_challenge_methods_supported?: readonly string[];
  readonly authorization_response_iss_parameter_supported?: boolean;
  readonly id_token_signing_alg_values_supported?: readonly string[];
}

/** What this client signs with: its private_key_jwt assertions and its DPoP proofs. */
export interface ClientAlgorithms {
  readonly clientAssertion: string;
  readonly dpopProof: string;
}

function listed(values: readonly string[] | undefined): string {
  return values && values.length > 0 ? values.join(', ') : 'not advertised';
}

/**
 * Everything the IdP's discovery document does not offer that FAPI 2.0 needs, one sentence
 * each, empty when it offers it all. An absent field counts as not offered (RFC 8414's
 * defaults: client_secret_basic only, no PKCE, no `iss` response parameter; OIDC
 * Discovery's: RS256 ID tokens).
 */
export function fapi2Gaps(metadata: ProfileMetadata, client: ClientAlgorithms): string[] {
  const gaps: string[] = [];
  if (!metadata.pushed_authorization_request_endpoint) {
    gaps.push('pushed authorization requests (RFC 9126): no pushed_authorization_request_endpoint');
  }
  if (!metadata.dpop_signing_alg_values_supported?.includes(client.dpopProof)) {
    gaps.push(`DPoP (RFC 9449) with ${client.dpopProof} proofs: dpop_signing_alg_values_supported is ${listed(metadata.dpop_signing_alg_values_supported)}`);
  }
  if (!metadata.token_endpoint_auth_methods_supported?.includes('private_key_jwt')) {
    gaps.push(`private_key_jwt client authentication: token_endpoint_auth_methods_supported is ${listed(metadata.token_endpoint_auth_methods_supported)}`);
  }
  const assertionAlgs = metadata.token_endpoint_auth_signing_alg_values_supported;
  if (assertionAlgs && !assertionAlgs.includes(client.clientAssertion)) {
    gaps.push(`client assertions signed with ${client.clientAssertion} (the client key's algorithm): token_endpoint_auth_signing_alg_values_supported is ${listed(assertionAlgs)}`);
  }
  if (!metadata.code_challenge_methods_supported?.includes('S256')) {
    gaps.push(`PKCE with S256 (RFC 7636): code_challenge_methods_supported is ${listed(metadata.code_challenge_methods_supported)}`);
  }
  if (metadata.authorization_response_iss_parameter_supported !== true) {
    gaps.push('the iss authorization response parameter (RFC 9207): authorization_response_iss_parameter_supported is not true');
  }
  if (fapi2IdTokenAlgorithms(metadata.id_token_signing_alg_values_supported).length === 0) {
    gaps.push(`ID tokens signed with PS256, ES256 or EdDSA: id_token_signing_alg_values_supported is ${listed(metadata.id_token_signing_alg_values_supported ?? ['RS256'])}`);
  }
  return gaps;
}

/** The ID token algorithms to accept under the profile: those the IdP offers that FAPI 2.0 allows. */
export function fapi2IdTokenAlgorithms(offered: readonly string[] | undefined): string[] {
  return (offered ?? ['RS256']).filter((alg) => FAPI2_ALGORITHMS.includes(alg));
}
