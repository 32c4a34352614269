import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as client from 'openid-client';
import { describeIdpFailure } from './idp-failure';

test('an OAuth error answer is described by status, error code and endpoint, without the query', () => {
  const response = new Response(null, { status: 403 });
  Object.defineProperty(response, 'url', { value: 'https://idp.example/oauth/token?client_secret=s3cret' });
  const error = new client.ResponseBodyError('refused', { cause: { error: 'invalid_client' }, response });
  assert.equal(describeIdpFailure(error), '403 invalid_client from https://idp.example/oauth/token');
});

test('a WWW-Authenticate challenge is described by status, the error it names, and endpoint', () => {
  const response = new Response(null, { status: 401 });
  Object.defineProperty(response, 'url', { value: 'https://idp.example/oauth/token' });
  const challenge = (parameters: Record<string, string>) => new client.WWWAuthenticateChallengeError('challenged', { cause: [{ scheme: 'basic', parameters }], response });
  assert.equal(describeIdpFailure(challenge({ realm: 'idp', error: 'invalid_client' })), '401 invalid_client from https://idp.example/oauth/token');
  assert.equal(describeIdpFailure(challenge({ realm: 'idp' })), '401 challenge from https://idp.example/oauth/token');
});

test('a network failure is described by its code', () => {
  const error = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) });
  assert.equal(describeIdpFailure(error), 'ECONNREFUSED: fetch failed');
  assert.equal(describeIdpFailure('?'), 'unknown failure');
});
