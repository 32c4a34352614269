import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withoutQuery } from './redacting-exporter';
import { readTelemetrySettings, TelemetrySettingsError } from './telemetry-settings';

test('nothing starts unless asked for; METRICS_PORT listens on loopback unless METRICS_HOST says otherwise', () => {
  assert.equal(readTelemetrySettings({}), undefined);
  assert.deepEqual(readTelemetrySettings({ METRICS_PORT: '9464' }), { prometheus: { host: '127.0.0.1', port: 9464 }, otlpTraces: false, otlpMetrics: false, serviceName: 'renewal' });
  assert.deepEqual(readTelemetrySettings({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' })?.prometheus, { host: '0.0.0.0', port: 9464 });
  const otlp = readTelemetrySettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SERVICE_NAME: 'renewal-eu' });
  assert.deepEqual(otlp, { prometheus: undefined, otlpTraces: true, otlpMetrics: true, serviceName: 'renewal-eu' });
  assert.equal(readTelemetrySettings({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c/v1/traces' })?.otlpMetrics, false);
});

test('a METRICS_PORT that is not a port is a clear error', () => {
  for (const port of ['metrics', '0', '70000', '80.5']) {
    assert.throws(() => readTelemetrySettings({ METRICS_PORT: port }), (error: unknown) => error instanceof TelemetrySettingsError && error.message.includes(`got "${port}"`));
  }
});

test('queries leave spans redacted, wherever they appear; paths stay', () => {
  assert.equal(withoutQuery('/auth/callback?code=abc&state=def'), '/auth/callback?[redacted]');
  assert.equal(withoutQuery('http://app/auth/callback?code=abc#frag'), 'http://app/auth/callback?[redacted]#frag');
  assert.equal(withoutQuery('GET /auth/callback?code=abc'), 'GET /auth/callback?[redacted]');
  assert.equal(withoutQuery('/dashboard'), '/dashboard');
});
