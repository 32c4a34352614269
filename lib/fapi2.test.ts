import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fapi2Gaps, fapi2IdTokenAlgorithms, type ProfileMetadata } from './fapi2';

const client = { clientAssertion: 'PS256', dpopProof: 'ES256' };

/** What a FAPI 2.0 IdP advertises (oidc-provider with the dev IdP's fapi2 quirk). */
const conforming: ProfileMetadata = {
  pushed_authorization_request_endpoint: 'https://idp.example/par',
  dpop_signing_alg_values_supported: ['ES256', 'EdDSA'],
  token_endpoint_auth_methods_supported: ['private_key_jwt'],
  token_endpoint_auth_signing_alg_values_supported: ['PS256', 'ES256', 'EdDSA'],
  code_challenge_methods_supported: ['S256'],
  authorization_response_iss_parameter_supported: true,
  id_token_signing_alg_values_supported: ['ES256'],
};

test('an IdP that offers everything FAPI 2.0 needs has no gaps', () => {
  assert.deepEqual(fapi2Gaps(conforming, client), []);
  // token_endpoint_auth_signing_alg_values_supported is optional: absent, any algorithm may do.
  assert.deepEqual(fapi2Gaps({ ...conforming, token_endpoint_auth_signing_alg_values_supported: undefined }, client), []);
});

test('an IdP that offers none of it: every gap is listed at once, naming the field and what it says', () => {
  assert.deepEqual(fapi2Gaps({}, client), [
    'pushed authorization requests (RFC 9126): no pushed_authorization_request_endpoint',
    'DPoP (RFC 9449) with ES256 proofs: dpop_signing_alg_values_supported is not advertised',
    'private_key_jwt client authentication: token_endpoint_auth_methods_supported is not advertised',
    'PKCE with S256 (RFC 7636): code_challenge_methods_supported is not advertised',
    'the iss authorization response parameter (RFC 9207): authorization_response_iss_parameter_supported is not true',
    'ID tokens signed with PS256, ES256 or EdDSA: id_token_signing_alg_values_supported is RS256',
  ]);
});

test('a capability offered in part is a gap: the wrong proof or assertion algorithm, RS256-only ID tokens', () => {
  const partial: ProfileMetadata = {
    ...conforming,
    dpop_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ['RS256'],
    id_token_signing_alg_values_supported: ['RS256', 'HS256'],
  };
  assert.deepEqual(fapi2Gaps(partial, client), [
    'DPoP (RFC 9449) with ES256 proofs: dpop_signing_alg_values_supported is RS256',
    'client assertions signed with PS256 (the client key\'s algorithm): token_endpoint_auth_signing_alg_values_supported is RS256',
    'ID tokens signed with PS256, ES256 or EdDSA: id_token_signing_alg_values_supported is RS256, HS256',
  ]);
});

test('ID tokens are accepted under the profile only with the algorithms it allows, of those the IdP offers', () => {
  assert.deepEqual(fapi2IdTokenAlgorithms(['RS256', 'ES256', 'PS256', 'HS256']), ['ES256', 'PS256']);
  assert.deepEqual(fapi2IdTokenAlgorithms(undefined), []);
});
