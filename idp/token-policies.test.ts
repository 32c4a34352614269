import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { introspectionPolicy, revocationPolicy } from './token-policies';

type Client = Parameters<typeof revocationPolicy>[1];
type Token = Parameters<typeof revocationPolicy>[2];

const ctx = {} as KoaContextWithOIDC;
const client = (clientId: string) => ({ clientId }) as Client;
const token = (clientId: string) => ({ clientId }) as Token;

test('revocation: a client revokes its own tokens; another client\'s request is refused', () => {
  assert.equal(revocationPolicy(ctx, client('renewal-dev'), token('renewal-dev')), true);
  assert.throws(() => revocationPolicy(ctx, client('intruder'), token('renewal-dev')), { name: 'InvalidRequest', error_description: 'client is not authorized to revoke the presented token' });
});

test('introspection: a client learns about its own tokens; another client\'s read as inactive', () => {
  assert.equal(introspectionPolicy(ctx, client('renewal-dev'), token('renewal-dev')), true);
  assert.equal(introspectionPolicy(ctx, client('intruder'), token('renewal-dev')), false);
});
