/**
 * What the app's own metrics say happened (lib/telemetry), summed over every instance and
 * every incarnation of one (an instance's counters start again when it restarts, so the
 * soak reads it just before it kills it). The report compares these with what the soak
 * and the IdP counted: metrics that disagree with what happened are caught here, not in
 * production.
 */
import { sumSamples } from '../../lib/telemetry/prometheus-text';

export interface AppCounts {
  /** Refresh-token grants the app sent to the IdP, whatever their outcome. */
  readonly refreshCalls: number;
  /** Sessions ended by their person's sign-out. */
  readonly signedOut: number;
}

export const NO_COUNTS: AppCounts = { refreshCalls: 0, signedOut: 0 };

/** The outcomes of renewal.refresh.attempts that are answers (or silences) of the IdP's token endpoint; adopted and reauthenticate are not. */
const IDP_OUTCOMES = ['renewed', 'transient', 'uncertain', 'terminal', 'misconfigured'];

export function countsFrom(exposition: string): AppCounts {
  return {
    refreshCalls: IDP_OUTCOMES.reduce((sum, outcome) => sum + sumSamples(exposition, 'renewal_refresh_attempts_total', { outcome }), 0),
    signedOut: sumSamples(exposition, 'renewal_sessions_ended_total', { reason: 'signed_out' }),
  };
}

export function addCounts(a: AppCounts, b: AppCounts): AppCounts {
  return { refreshCalls: a.refreshCalls + b.refreshCalls, signedOut: a.signedOut + b.signedOut };
}

export async function scrapeCounts(metricsPort: number): Promise<AppCounts> {
  const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`the metrics endpoint on port ${metricsPort} answered ${response.status}`);
  return countsFrom(await response.text());
}

export interface CrossCheck {
  readonly refreshes: { readonly app: number; readonly idp: number | null; readonly agree: boolean };
  readonly signOuts: { readonly app: number; readonly answered: number; readonly sent: number; readonly agree: boolean };
  /** SIGKILLs during the run: requests in flight then may be counted on one side only. */
  readonly kills: number;
  readonly agree: boolean;
}

/**
 * Each side may miss only what a SIGKILL cut short: a refresh the IdP answered as the
 * instance died (the IdP counts it, the app did not yet), a sign-out done just before
 * (the app counted it, its answer never reached the soak). Otherwise they must agree: the
 * app counts every refresh it sent (no more than the IdP received), and every sign-out
 * between those the soak saw answered and those it sent.
 */
export function crossCheck(app: AppCounts, idpRefreshes: number | null, signOuts: { answered: number; sent: number }, kills: number): CrossCheck {
  const slack = kills * 3;
  const refreshesAgree = idpRefreshes !== null && app.refreshCalls <= idpRefreshes && idpRefreshes - app.refreshCalls <= slack;
  const signOutsAgree = app.signedOut >= signOuts.answered - slack && app.signedOut <= signOuts.sent;
  return {
    refreshes: { app: app.refreshCalls, idp: idpRefreshes, agree: refreshesAgree },
    signOuts: { app: app.signedOut, ...signOuts, agree: signOutsAgree },
    kills,
    agree: refreshesAgree && signOutsAgree,
  };
}
