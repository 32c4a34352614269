/**
 * Renewal's metrics (docs/OPERATIONS.md says what each means and which alerts to set).
 * Recorded through the OpenTelemetry API: until instrumentation.ts registers a meter
 * provider (METRICS_PORT or OTEL_EXPORTER_OTLP_ENDPOINT set) every call is a no-op, and
 * a valid session's request pays one increment of a number (registry checks).
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
  readonly backchannel: Counter;
  readonly cookieSize: Histogram;
}

// On globalThis: Next.js bundles the proxy and the route handlers separately. The
// instruments are made when telemetry starts (telemetry-start.ts calls
// startRecordingMetrics); until then every record goes to no-op instruments.
const globalForMetrics = globalThis as unknown as { renewalInstruments?: Instruments; renewalRegistryChecks?: Record<RegistrySource, number> };
let noOp: Instruments | undefined;

/**
 * Registry checks happen on every request with a session: counted in plain numbers here,
 * read by the meter at each collection (an observable counter), so the hot path pays an
 * increment and nothing of the SDK's attribute handling (`npm run bench`, micro).
 */
const registryChecks = (globalForMetrics.renewalRegistryChecks ??= { cached: 0, read: 0 });

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function instruments(): Instruments {
  return globalForMetrics.renewalInstruments ?? (noOp ??= createInstruments());
}

/** Creates the instruments on the meter provider just registered. */
export function startRecordingMetrics(): void {
  globalForMetrics.renewalInstruments = createInstruments();
  metrics
    .getMeter('renewal')
    .createObservableCounter('renewal.registry.checks', { description: 'Registry verdicts asked for, by source: cached, or read from the database' })
    .addCallback((result) => {
      for (const source of ['cached', 'read'] as const) result.observe(registryChecks[source], { source });
    });
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
    backchannel: meter.createCounter('renewal.backchannel_logout.requests', { description: 'Back-channel logout tokens, accepted or refused, by reason' }),
    cookieSize: meter.createHistogram('renewal.session_cookie.size', { unit: 'By', description: 'Size of each sealed session cookie written', advice: { explicitBucketBoundaries: [512, 1024, 2048, 3072, 4096, 6144, 8192, 12288, 16384] } }),
  };
}

export type RefreshOutcome = 'renewed' | 'adopted' | 'transient' | 'uncertain' | 'terminal' | 'misconfigured' | 'reauthenticate';

export function countRefresh(outcome: RefreshOutcome): void {
  instruments().refreshes.add(1, { outcome });
}

export type IdpEndpoint = 'discovery' | 'par' | 'token' | 'introspection' | 'revocation' | 'jwks' | 'userinfo' | 'other';

export function observeIdpRequest(endpoint: IdpEndpoint, outcome: 'ok' | 'error_status' | 'network_error', seconds: number): void {
  instruments().idpDuration.record(seconds, { endpoint, outcome });
}

export function observeLeaseWait(seconds: number): void {
  instruments().leaseWait.record(seconds);
}

export function countSessionStarted(): void {
  instruments().sessionsStarted.add(1);
}

export type EndReason = 'signed_out' | 'ended_elsewhere' | 'replaced' | 'idp_logout' | 'refresh_failed' | 'expired' | 'idle';

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

export type RegistrySource = 'cached' | 'read';

export function countRegistryCheck(source: RegistrySource): void {
  registryChecks[source] += 1;
}

export function countBackchannelLogout(result: 'accepted' | 'refused', reason: string): void {
  instruments().backchannel.add(1, { result, reason });
}

export function observeCookieSize(bytes: number): void {
  instruments().cookieSize.record(bytes);
}
