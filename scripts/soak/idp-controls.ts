/** A client for the dev IdP's test controls (idp/test-controls.ts), as the soak uses them. */
import { IDP_URL } from './settings';

export interface FaultProfile {
  fail503?: number;
  fail429?: number;
  latencyRate?: number;
  latencyMs?: number;
  lose?: number;
}

export interface IdpStats {
  token: Record<string, number>;
  tokenErrors: Record<string, number>;
  revocation: number;
  failedByControl: number;
  held: number;
  reuseDetected: number;
  introspection: { calls: number; active: number };
  faults: { fail503: number; fail429: number; delayed: number; lost: number };
}

async function control(path: string, method: 'GET' | 'POST' = 'POST', body?: unknown): Promise<unknown> {
  const response = await fetch(`${IDP_URL}/__test/${path}`, {
    method,
    signal: AbortSignal.timeout(5000),
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  if (!response.ok) throw new Error(`soak: IdP test control ${path} answered ${response.status}`);
  return response.json();
}

export const idpControls = {
  stats: () => control('stats', 'GET') as Promise<IdpStats>,
  reset: () => control('reset'),
  tokenEndpoint: (mode: 'ok' | 'fail' | 'hang' | 'lose') => control(`token-endpoint?mode=${mode}`),
  faults: (profile: FaultProfile) => control('faults', 'POST', profile),
  revoke: (account: string) => control(`revoke?account=${encodeURIComponent(account)}`) as Promise<{ revokedGrants: number }>,
};
