/**
 * Renewal's metrics (docs/OPERATIONS.md says what each means and which alerts to set).
 * Recorded through the OpenTelemetry API: until instrumentation.ts registers a meter
 * provider (METRICS_PORT or OTEL_EXPORTER_OTLP_ENDPOINT set) every call is a no-op, and
 * after it a valid session's request pays one counter increment (registry checks).
 *
 * Every attribute value comes from a closed set: a metric never carries a session id,
 * a user, a token or free text (an IdP's error description would be unbounded).
 */
import { type Counter, type Histogram, metrics } from '@opentelemetry/api';

interface Instruments {
  readonly refreshes: Counter;
  readonly idpDuration: Histogram;
  readonly leaseWait: Histogram;
  readonly sessionsStarted: Counter;
  readonly sessionsEnded: Counter;
  readonly rejections: Counter;
  readonly unavailable: Counter;
  readonly registryChecks: Counter;
  readonly backchannel: Counter;
  readonly cookieSize: Histogram;
}

// On globalThis: Next.js bundles the proxy and the route handlers separately. The
// instruments are made once the provider is registered (telemetry-start.ts sets
// `renewalTelemetryStarted`); before that the API's meter makes no-op ones.
const globalForMetrics = globalThis as unknown as { renewalInstruments?: Instruments; renewalTelemetryStarted?: boolean };
let noOp: Instruments | undefined;

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function instruments(): Instruments {
  if (globalForMetrics.renewalInstruments) return globalForMetrics.renewalInstruments;
  if (!globalForMetrics.renewalTelemetryStarted) return (noOp ??= createInstruments());
  return (globalForMetrics.renewalInstruments = createInstruments());
}

function createInstruments(): Instruments {
  const meter = metrics.getMeter('renewal');
  return {
    refreshes: meter.createCounter('renewal.refresh.attempts', { description: 'Refresh attempts by outcome: renewed, adopted, transient, uncertain, terminal, misconfigured, reauthenticate' }),
    idpDuration: meter.createHistogram('renewal.idp.request.duration', { unit: 's', description: 'Round trips to the IdP by endpoint and outcome', advice: { explicitBucketBoundaries: SECONDS_BUCKETS } }),
    leaseWait: meter.createHistogram('renewal.refresh.lease.wait', { unit: 's', description: "How long a request waited on another request's refresh (another instance's lease)", advice: { explicitBucketBoundaries: SECONDS_BUCKETS } }),
    sessionsStarted: meter.createCounter('renewal.sessions.started', { description: 'Sign-ins that created a session' }),
    sessionsEnded: meter.createCounter('renewal.sessions.ended', { description: 'Sessions ended, by reason' }),
    rejections: meter.createCounter('renewal.session.rejections', { description: 'Session cookies refused, by reason (once per session and reason per process)' }),
    unavailable: meter.createCounter('renewal.unavailable.responses', { description: '503 "try again" answers, by cause' }),
    registryChecks: meter.createCounter('renewal.registry.checks', { description: 'Registry verdicts asked for, by source: cached or read' }),
    backchannel: meter.createCounter('renewal.backchannel_logout.requests', { description: 'Back-channel logout tokens, accepted or refused, by reason' }),
    cookieSize: meter.createHistogram('renewal.session_cookie.size', { unit: 'By', description: 'Size of each sealed session cookie written', advice: { explicitBucketBoundaries: [512, 1024, 2048, 3072, 4096, 6144, 8192, 12288, 16384] } }),
  };
}

export type RefreshOutcome = 'renewed' | 'adopted' | 'transient' | 'uncertain' | 'terminal' | 'misconfigured' | 'reauthenticate';

export function countRefresh(outcome: RefreshOutcome): void {
  instruments().refreshes.add(1, { outcome });
}

export type IdpEndpoint = 'discovery' | 'token' | 'introspection' | 'revocation' | 'jwks' | 'userinfo' | 'other';

export function observeIdpRequest(endpoint: IdpEndpoint, outcome: 'ok' | 'error_status' | 'network_error', seconds: number): void {
  instruments().idpDuration.record(seconds, { endpoint, outcome });
}

export function observeLeaseWait(seconds: number): void {
  instruments().leaseWait.record(seconds);
}

export function countSessionStarted(): void {
  instruments().sessionsStarted.add(1);
}

export type EndReason = 'signed_out' | 'ended_elsewhere' | 'replaced' | 'idp_logout' | 'refresh_failed' | 'expired';

export function countSessionEnded(reason: EndReason): void {
  instruments().sessionsEnded.add(1, { reason });
}

export function countRejection(reason: string): void {
  instruments().rejections.add(1, { reason });
}

/** `idp`: the IdP could not renew a session due for it; `service`: our own database did not answer. */
export type UnavailableCause = 'idp' | 'service';

export function countUnavailable(cause: UnavailableCause): void {
  instruments().unavailable.add(1, { cause });
}

export function countRegistryCheck(source: 'cached' | 'read'): void {
  instruments().registryChecks.add(1, { source });
}

export function countBackchannelLogout(result: 'accepted' | 'refused', reason: string): void {
  instruments().backchannel.add(1, { result, reason });
}

export function observeCookieSize(bytes: number): void {
  instruments().cookieSize.record(bytes);
}
