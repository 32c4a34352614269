import 'server-only';
import { env } from '../../env';
import { nowSeconds } from '../refresh/runtime';
import { keepIntent } from '../registry/step-up-intents';
import type { SessionData } from '../session-payload';

/**
 * Step-up authentication: a sensitive action (ending every other session, deleting data)
 * needs the person to have proved who they are recently — within STEP_UP_MAX_AGE, and by
 * one of the STEP_UP_ACR methods when set — not a session signed in days ago. Otherwise
 * the action is kept server-side and the person goes to the IdP (`max_age`, `acr_values`,
 * `prompt=login` where needed) and comes back to finish it, in the same session.
 */
export interface StepUpPolicy {
  readonly stepUpMaxAgeSec: number;
  readonly stepUpAcrValues: readonly string[];
}

/** The authentication a session (or an ID token) reports: `auth_time` and `acr`. */
export interface Authentication {
  readonly authTime?: number;
  readonly acr?: string;
}

/**
 * Whether `auth` is recent enough for a sensitive action at `now`, and of a required
 * `acr`. An IdP that did not say when (no `auth_time`) has not said it was recent.
 * `leewaySec`: for an answer the IdP has just given, its clock and ours may differ.
 */
export function isRecentAuthentication(auth: Authentication, now: number, policy: StepUpPolicy, leewaySec = 0): boolean {
  if (auth.authTime === undefined || now - auth.authTime > policy.stepUpMaxAgeSec + leewaySec) return false;
  return hasRequiredAcr(auth, policy);
}

/** Whether `auth` was by one of the STEP_UP_ACR methods; any will do when none is set. */
export function hasRequiredAcr(auth: Authentication, policy: StepUpPolicy): boolean {
  return policy.stepUpAcrValues.length === 0 || (auth.acr !== undefined && policy.stepUpAcrValues.includes(auth.acr));
}

/** Whether a sensitive action would send this session's person to the IdP first: for the pages that offer one. */
export function needsStepUp(session: Authentication): boolean {
  return !isRecentAuthentication(session, nowSeconds(), env().identity);
}

/** A sensitive action's go-ahead: now, or after a step-up at `stepUpPath`. */
export type StepUpGate = { readonly recent: true } | { readonly recent: false; readonly stepUpPath: string };

/**
 * The gate of a sensitive action. When the session's authentication is not recent
 * enough, `action` (JSON: what the app needs to finish it) is kept for this session and
 * the answer says where to send the person: `/auth/step-up?intent=…`. Coming back, the
 * callback hands `action` to the app's finisher (`handleCallback`'s `finishSensitiveAction`).
 * `returnTo`: the page the action was started from (the step-up route checks it is ours).
 *
 * @example
 * const gate = await requireRecentAuthentication(session, { kind: 'end_other_sessions' }, '/sessions');
 * if (!gate.recent) redirect(gate.stepUpPath);
 */
export async function requireRecentAuthentication(session: SessionData, action: unknown, returnTo: string): Promise<StepUpGate> {
  const now = nowSeconds();
  if (isRecentAuthentication(session, now, env().identity)) return { recent: true };
  const intent = await keepIntent(session.sid, { action, returnTo }, now);
  return { recent: false, stepUpPath: `/auth/step-up?${new URLSearchParams({ intent })}` };
}
