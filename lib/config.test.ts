import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { ConfigError, DEV_DEFAULTS, parseConfig } from './config';

test('outside production everything defaults to the dev IdP and SQLite', () => {
  const config = parseConfig({});
  assert.equal(config.oidc.issuer.href, `${DEV_DEFAULTS.issuer}/`);
  assert.equal(config.oidc.usesDevIdp, true);
  assert.equal(config.oidc.allowInsecure, true);
  assert.equal(config.oidc.redirectUri, 'http://localhost:3000/auth/callback');
  assert.equal(config.secureCookies, false);
  assert.equal(config.databaseUrl, DEV_DEFAULTS.databaseUrl);
});

test('production lists every missing or weak setting at once', () => {
  assert.throws(
    () => parseConfig({ NODE_ENV: 'production', SESSION_SECRET: 'short', REFRESH_WINDOW: 'soon' }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(error.problems, [
        'APP_URL is required in production',
        'OIDC_ISSUER is required in production',
        'OIDC_CLIENT_ID is required in production',
        'OIDC_CLIENT_SECRET is required in production',
        'SESSION_SECRET: secret 1 is shorter than 32 characters',
        'REFRESH_WINDOW must be a positive whole number',
      ]);
      return true;
    },
  );
});

test('http issuers are allowed for loopback hosts only', () => {
  assert.throws(() => parseConfig({ OIDC_ISSUER: 'http://idp.example.com' }), /OIDC_ISSUER must use https/);
  assert.equal(parseConfig({ OIDC_ISSUER: 'http://localhost:8080/realms/x' }).oidc.allowInsecure, true);
  assert.equal(parseConfig({ OIDC_ISSUER: 'https://idp.example.com' }).oidc.allowInsecure, false);
});

test('https APP_URL turns on secure cookies; the dev secret is refused in production', () => {
  const production = {
    NODE_ENV: 'production',
    APP_URL: 'https://app.example.com',
    OIDC_ISSUER: 'https://idp.example.com',
    OIDC_CLIENT_ID: 'app',
    OIDC_CLIENT_SECRET: 'secret',
    SESSION_SECRET: 'x'.repeat(40),
  };
  assert.equal(parseConfig(production).secureCookies, true);
  assert.throws(() => parseConfig({ ...production, SESSION_SECRET: DEV_DEFAULTS.sessionSecret }), /published development secret/);
  assert.throws(() => parseConfig({ ...production, APP_URL: 'http://app.example.com' }), /APP_URL must use https/);
});

test('several session secrets rotate: id:secret pairs, the highest id seals', () => {
  const config = parseConfig({ SESSION_SECRET: `2:${'n'.repeat(32)},1:${'o'.repeat(32)}` });
  assert.deepEqual(config.session.secrets, { 2: 'n'.repeat(32), 1: 'o'.repeat(32) });
  assert.throws(() => parseConfig({ SESSION_SECRET: `${'n'.repeat(32)},${'o'.repeat(32)}` }), /write each as id:secret/);
});

test('SESSION_SECRET_SEALING names the sealing secret; unset, the highest id seals', () => {
  const SESSION_SECRET = `2:${'n'.repeat(32)},1:${'o'.repeat(32)}`;
  assert.equal(parseConfig({ SESSION_SECRET }).session.sealingSecretId, 2);
  assert.equal(parseConfig({ SESSION_SECRET, SESSION_SECRET_SEALING: ' 1 ' }).session.sealingSecretId, 1);
  assert.equal(parseConfig({ SESSION_SECRET: 'x'.repeat(32), SESSION_SECRET_SEALING: '1' }).session.sealingSecretId, 1);
});

test('SESSION_SECRET_SEALING that names no configured secret is refused, listed with the other problems', () => {
  const SESSION_SECRET = `2:${'n'.repeat(32)},1:${'o'.repeat(32)}`;
  for (const bad of ['3', 'new', '1.5', '-1']) {
    assert.throws(
      () => parseConfig({ SESSION_SECRET, SESSION_SECRET_SEALING: bad, REFRESH_GRACE: 'x' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.deepEqual(error.problems, [
          `SESSION_SECRET_SEALING must be the id of one of the secrets in SESSION_SECRET (2, 1), got "${bad}"`,
          'REFRESH_GRACE must be a positive whole number',
        ]);
        return true;
      },
    );
  }
});

test('RENEWAL_PROXY=off is accepted on loopback only (tests, benchmarks), never for a public APP_URL', () => {
  assert.equal(parseConfig({ RENEWAL_PROXY: 'off' }).proxyEnabled, false);
  assert.equal(parseConfig({}).proxyEnabled, true);
  assert.throws(() => parseConfig({ RENEWAL_PROXY: 'off', APP_URL: 'https://app.example.com' }), /RENEWAL_PROXY=off is for tests and benchmarks on loopback only/);
});

test('RETENTION_DAYS: ended sessions and audit events are kept 30 days unless set; a positive whole number', () => {
  assert.equal(parseConfig({}).retentionDays, 30);
  assert.equal(parseConfig({ RETENTION_DAYS: '90' }).retentionDays, 90);
  for (const value of ['0', '-1', '1.5', 'forever']) {
    assert.throws(() => parseConfig({ RETENTION_DAYS: value }), /RETENTION_DAYS must be a positive whole number/, value);
  }
});

test('fresh identity: claims re-read every 15 minutes and step-up within 5 unless set; STEP_UP_ACR is a space-separated list', () => {
  assert.deepEqual(parseConfig({}).identity, { claimsRefreshSec: 900, stepUpMaxAgeSec: 300, stepUpAcrValues: [] });
  const set = parseConfig({ CLAIMS_REFRESH_INTERVAL: '60', STEP_UP_MAX_AGE: '120', STEP_UP_ACR: ' mfa  urn:example:loa:3 ' });
  assert.deepEqual(set.identity, { claimsRefreshSec: 60, stepUpMaxAgeSec: 120, stepUpAcrValues: ['mfa', 'urn:example:loa:3'] });
  assert.throws(() => parseConfig({ STEP_UP_MAX_AGE: '0' }), /STEP_UP_MAX_AGE must be a positive whole number/);
  assert.throws(() => parseConfig({ STEP_UP_ACR: 'mfa "gold"' }), /STEP_UP_ACR must be acr values separated by spaces/);
});

test('OIDC_DPOP is off unless on; OIDC_PAR is auto unless set; anything else is refused', () => {
  assert.equal(parseConfig({}).oidc.dpop, false);
  assert.equal(parseConfig({ OIDC_DPOP: 'on' }).oidc.dpop, true);
  assert.equal(parseConfig({}).oidc.par, 'auto');
  assert.throws(() => parseConfig({ OIDC_DPOP: 'yes' }), /OIDC_DPOP must be on or off, got "yes"/);
  assert.throws(() => parseConfig({ OIDC_PAR: 'always' }), /OIDC_PAR must be one of auto, on, off/);
});

test('OIDC_PROFILE=fapi2 turns on private_key_jwt, PAR and DPoP, and lists every setting that contradicts it at once', () => {
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const { oidc } = parseConfig({ OIDC_PROFILE: 'fapi2', OIDC_CLIENT_PRIVATE_KEY: key });
  assert.equal(oidc.profile, 'fapi2');
  assert.equal(oidc.clientAuthentication.method, 'private_key_jwt');
  assert.equal(oidc.clientAuthentication.signingKey?.alg, 'ES256');
  assert.equal(oidc.par, 'on');
  assert.equal(oidc.dpop, true);
  assert.throws(
    () => parseConfig({ OIDC_PROFILE: 'fapi2', OIDC_TOKEN_AUTH_METHOD: 'client_secret_post', OIDC_PAR: 'off', OIDC_DPOP: 'off' }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(error.problems, [
        'OIDC_PROFILE=fapi2 authenticates the client with private_key_jwt: remove OIDC_TOKEN_AUTH_METHOD=client_secret_post',
        'OIDC_PROFILE=fapi2 pushes every authorization request: remove OIDC_PAR=off',
        'OIDC_PROFILE=fapi2 needs sender-constrained access tokens: remove OIDC_DPOP=off',
      ]);
      return true;
    },
  );
});
