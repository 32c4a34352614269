/** The soak's verdict: a JSON report and a readable summary, and whether the run failed. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CrossCheck } from './app-metrics';
import type { Explanation, Incident } from './explain';
import type { FaultLogEntry } from './faults';
import type { IdpStats } from './idp-controls';
import type { Metrics, Tally } from './metrics';
import { ACCESS_TOKEN_TTL, REFRESH_GRACE, REFRESH_TIMEOUT_MS, type SoakSettings, revocationBoundSeconds, signOutBoundSeconds } from './settings';

export interface ReportInput {
  readonly settings: SoakSettings;
  /** The seed the schedule was drawn from (SOAK_SEED replays it). */
  readonly seed: number;
  readonly explanations: ReadonlyMap<Incident, Explanation>;
  readonly database: 'sqlite' | 'postgresql';
  readonly durationSec: number;
  readonly browsers: { readonly total: number; readonly multiTab: number; readonly signingOut: number; readonly revoked: number; readonly loggedOutAtIdp: number };
  readonly metrics: Metrics;
  readonly idp: IdpStats | undefined;
  readonly faultLog: readonly FaultLogEntry[];
  /** The app's metrics against the soak's and the IdP's counts (app-metrics.ts). */
  readonly metricsCheck: CrossCheck;
}

function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function tally(t: Tally) {
  return { count: t.total, byReason: t.counts, examples: t.examples };
}

export function buildReport(input: ReportInput) {
  const { metrics: m, idp, settings } = input;
  const latencies = [...m.latenciesMs].sort((a, b) => a - b);
  const refreshes = idp?.token.refresh_token ?? null;
  const failures = {
    unexpectedSignOuts: m.unexpectedSignOuts.total,
    wrongAdmissions: m.wrongAdmissions.total,
    reuseDetected: idp?.reuseDetected ?? null,
    unexpected5xx: m.unexpected5xx.total,
    metricsDisagree: input.metricsCheck.agree ? 0 : 1,
  };
  return {
    passed: failures.unexpectedSignOuts === 0 && failures.wrongAdmissions === 0 && failures.reuseDetected === 0 && failures.unexpected5xx === 0 && failures.metricsDisagree === 0,
    seed: input.seed,
    failures,
    settings: {
      ...settings,
      database: input.database,
      accessTokenTtl: ACCESS_TOKEN_TTL,
      refreshGrace: REFRESH_GRACE,
      refreshTimeoutMs: REFRESH_TIMEOUT_MS,
      signOutBoundSec: signOutBoundSeconds(),
      revocationBoundSec: revocationBoundSeconds(),
    },
    durationSec: input.durationSec,
    browsers: input.browsers,
    pageViews: m.pageViews,
    serverActions: m.serverActions,
    requests: { sent: m.requests, completed: m.completed, abortsPlanned: m.abortsPlanned, aborted: m.aborted, timeouts: m.timeouts, lbRetries: m.lbRetries, connectionLost: tally(m.connectionLost) },
    signIns: { ok: m.signIns, failed: tally(m.signInFailures) },
    signOuts: { ok: m.signOuts, confirmedAtIdp: m.signOutsConfirmedAtIdp },
    revocationsAtIdp: m.revocations,
    logoutsAtIdp: m.idpLogouts,
    refreshes: {
      atIdp: refreshes,
      tokenGenerationsSeen: m.tokenVersions.size,
      liveSessionSeconds: Math.round(m.liveSessionMs / 1000),
      /** Live session-seconds / access-token lifetime: how many tokens expired while someone was signed in (an upper bound on useful refreshes). */
      tokenExpiriesEstimate: Math.round(m.liveSessionMs / 1000 / ACCESS_TOKEN_TTL),
    },
    idp: idp
      ? { reuseDetected: idp.reuseDetected, tokenErrors: idp.tokenErrors, token: idp.token, revocation: idp.revocation, introspection: idp.introspection, faultsInjected: idp.faults, failedByControl: idp.failedByControl }
      : null,
    faults: input.faultLog,
    metricsCheck: input.metricsCheck,
    unexpectedSignOuts: { ...tally(m.unexpectedSignOuts), responses: m.unexpectedRejections.total, responsesByReason: m.unexpectedRejections.counts, responsesByKind: m.unexpectedRejectionsByKind },
    wrongAdmissions: tally(m.wrongAdmissions),
    /** Each unexpected sign-out and wrong admission with its session's registry row and audit trail around the moment. */
    incidents: m.incidents.map((incident) => ({ what: incident.what, ...incident.example, explanation: input.explanations.get(incident) ?? null })),
    replay: m.replay,
    unexpected5xx: tally(m.unexpected5xx),
    otherAnswers: tally(m.otherStatus),
    expectedRejections: m.expectedRejections,
    unavailable503: m.unavailable503,
    silentReauth: m.silentReauth,
    reauthRequested: m.reauthRequested,
    largestCookieHeaderBytes: m.largestCookieHeader,
    latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1) ?? null, samples: latencies.length },
  };
}

export type Report = ReturnType<typeof buildReport>;

export function writeReport(report: Report, path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}

function counts(record: Record<string, number>): string {
  const entries = Object.entries(record).sort((a, b) => b[1] - a[1]);
  return entries.length === 0 ? '' : ` (${entries.map(([key, n]) => `${key}: ${n}`).join(', ')})`;
}

export function printReport(report: Report, path: string): void {
  const lines: string[] = [];
  const add = (label: string, value: string | number | null) => lines.push(`  ${label.padEnd(26)} ${value ?? 'n/a'}`);
  const mark = (n: number | null) => (n === 0 ? '0' : `${n ?? 'n/a'}  <-- FAIL`);
  lines.push('', `== soak ${report.passed ? 'PASSED' : 'FAILED'} (${report.durationSec} s, ${report.browsers.total} browsers, ${report.settings.instances} instances, ${report.settings.database}, seed ${report.seed}) ==`);
  add('page views', report.pageViews);
  add('server actions', `${report.serverActions.fetch} posted by the router, ${report.serverActions.form} as plain forms`);
  add('requests', `${report.requests.sent} sent, ${report.requests.completed} answered, ${report.requests.aborted} aborted before the answer (of ${report.requests.abortsPlanned} aborts), ${report.requests.timeouts} timed out, ${report.requests.connectionLost.count} connections lost`);
  add('load-balancer retries', report.requests.lbRetries);
  add('sign-ins', `${report.signIns.ok} ok, ${report.signIns.failed.count} failed${counts(report.signIns.failed.byReason)}`);
  add('sign-outs app / IdP / revoked', `${report.signOuts.ok} / ${report.logoutsAtIdp} / ${report.revocationsAtIdp}`);
  add('refreshes at the IdP', `${report.refreshes.atIdp ?? 'n/a'} (token generations seen: ${report.refreshes.tokenGenerationsSeen}; expiries estimate: ${report.refreshes.tokenExpiriesEstimate})`);
  const check = report.metricsCheck;
  const agrees = (ok: boolean) => (ok ? 'agree' : 'DISAGREE  <-- FAIL');
  add("app's metrics: refreshes", `${check.refreshes.app} sent, the IdP received ${check.refreshes.idp ?? 'n/a'} (failed on purpose included): ${agrees(check.refreshes.agree)}`);
  add("app's metrics: sign-outs", `${check.signOuts.app} ended, the soak sent ${check.signOuts.sent} and saw ${check.signOuts.answered} answered: ${agrees(check.signOuts.agree)} (${check.kills} SIGKILLs)`);
  if (report.idp) {
    add('IdP token errors', JSON.stringify(report.idp.tokenErrors));
    add('IdP faults injected', JSON.stringify(report.idp.faultsInjected));
    add('IdP introspection', JSON.stringify(report.idp.introspection));
  }
  add('unexpected sign-outs', `${mark(report.unexpectedSignOuts.count)}${counts(report.unexpectedSignOuts.byReason)}`);
  add('  rejected responses', `${report.unexpectedSignOuts.responses}${counts(report.unexpectedSignOuts.responsesByKind)}`);
  add('wrong admissions', `${mark(report.wrongAdmissions.count)}${counts(report.wrongAdmissions.byReason)}`);
  add('IdP reuse detected', mark(report.idp?.reuseDetected ?? null));
  add('unexpected 5xx', `${mark(report.unexpected5xx.count)}${counts(report.unexpected5xx.byReason)}`);
  add('503 unavailable (ok)', report.unavailable503);
  add('silent re-auth / reauth asked', `${report.silentReauth} / ${report.reauthRequested}`);
  add('replays', `${report.replay.sent} sent, ${report.replay.refused} refused, ${report.replay.admittedWithinBound} admitted within the bound, ${report.replay.unavailable} 503`);
  add('other answers', `${report.otherAnswers.count}${counts(report.otherAnswers.byReason)}`);
  add('largest Cookie header', `${report.largestCookieHeaderBytes} bytes`);
  add('latency p50 / p99 / max', `${report.latencyMs.p50} / ${report.latencyMs.p99} / ${report.latencyMs.max} ms`);
  const examples = [
    ...report.unexpectedSignOuts.examples.slice(0, 6).map((e) => ({ what: 'sign-out', ...e })),
    ...report.wrongAdmissions.examples.slice(0, 4).map((e) => ({ what: 'wrong admission', ...e })),
    ...report.unexpected5xx.examples.slice(0, 4).map((e) => ({ what: '5xx', ...e })),
  ];
  if (examples.length > 0) {
    lines.push('  examples:');
    for (const e of examples) {
      lines.push(`    ${e.atSec.toFixed(1).padStart(6)} s ${e.what}: ${e.browser} ${e.kind}${e.instance ? ` @:${e.instance}` : ''}${e.status ? ` ${e.status}` : ''}${e.reason ? ` reason=${e.reason}` : ''} [faults: ${e.faults}]${e.detail ? ` ${e.detail}` : ''}`);
    }
  }
  for (const incident of report.incidents.slice(0, 6)) {
    const e = incident.explanation;
    if (!e) continue;
    lines.push(`  why (${incident.what} at ${incident.atSec.toFixed(1)} s, ${incident.browser}):`);
    if (e.session) lines.push(`    session ${e.session}…, cookie generation ${e.cookieGeneration}`);
    if (e.registry) lines.push(`    registry: generation ${e.registry.generation}, refresh token ${e.registry.state}, revoked ${e.registry.revoked ?? 'no'}, history ${e.registry.history ?? '[]'}`);
    if (e.note) lines.push(`    ${e.note}`);
    for (const line of e.trail.slice(-25)) lines.push(`    ${line}`);
  }
  lines.push(`  report: ${path}`, '');
  console.log(lines.join('\n'));
}
