import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseTokenAuthMethod, refusedClientAdvice } from './client-auth';

test('without a setting, client_secret_basic unless the IdP offers only client_secret_post', () => {
  assert.equal(chooseTokenAuthMethod(undefined, undefined), 'client_secret_basic');
  assert.equal(chooseTokenAuthMethod(undefined, ['client_secret_basic', 'client_secret_post']), 'client_secret_basic');
  assert.equal(chooseTokenAuthMethod(undefined, ['client_secret_post', 'private_key_jwt']), 'client_secret_post');
  assert.equal(chooseTokenAuthMethod(undefined, ['private_key_jwt']), 'client_secret_basic');
});

test('the setting wins over discovery', () => {
  assert.equal(chooseTokenAuthMethod('client_secret_post', ['client_secret_basic']), 'client_secret_post');
  assert.equal(chooseTokenAuthMethod('private_key_jwt', undefined), 'private_key_jwt');
});

test('a refused client_secret_basic points at client_secret_post, and each method names a setting', () => {
  assert.match(refusedClientAdvice('client_secret_basic'), /OIDC_TOKEN_AUTH_METHOD=client_secret_post/);
  assert.match(refusedClientAdvice('client_secret_post'), /OIDC_TOKEN_AUTH_METHOD=client_secret_basic/);
  assert.match(refusedClientAdvice('private_key_jwt'), /OIDC_CLIENT_PRIVATE_KEY/);
});
