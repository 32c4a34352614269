import { type Configuration, errors } from './oidc-provider.js';

type Features = NonNullable<Configuration['features']>;
type RevocationPolicy = NonNullable<NonNullable<Features['revocation']>['allowedPolicy']>;
type IntrospectionPolicy = NonNullable<NonNullable<Features['introspection']>['allowedPolicy']>;

/**
 * RFC 7009 §2.1: a client may revoke only the tokens issued to it; anyone else's request
 * is refused with an error. Given explicitly because oidc-provider's default, though it
 * decides the same for a confidential client, prints a NOTICE asking to be replaced.
 */
export const revocationPolicy: RevocationPolicy = (_ctx, client, token) => {
  if (token.clientId !== client.clientId) throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
  return true;
};

/**
 * RFC 7662 §2.1: a client learns about the tokens issued to it; any other token reads as
 * inactive, so introspection cannot probe another client's grants. Given explicitly for
 * the same reason as `revocationPolicy`.
 */
export const introspectionPolicy: IntrospectionPolicy = (_ctx, client, token) => token.clientId === client.clientId;
