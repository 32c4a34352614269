/**
 * A client for the dev IdP's test controls (test-controls.ts), shared by the end-to-end
 * suite and the soak. They reach the IdP over HTTP, as everything else does.
 */
import type { FaultProfile, IdpStats, TokenEndpointMode } from './test-controls.js';

export type { FaultProfile, IdpStats, TokenEndpointMode };

export function idpControls(idpUrl: string, timeoutMs = 5000) {
  async function control(path: string, method: 'GET' | 'POST' = 'POST', body?: unknown): Promise<unknown> {
    const response = await fetch(`${idpUrl}/__test/${path}`, {
      method,
      signal: AbortSignal.timeout(timeoutMs),
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    if (!response.ok) throw new Error(`IdP test control ${path} answered ${response.status}`);
    return response.json();
  }
  return {
    stats: () => control('stats', 'GET') as Promise<IdpStats>,
    reset: () => control('reset'),
    tokenEndpoint: (mode: TokenEndpointMode) => control(`token-endpoint?mode=${mode}`),
    /** Random faults for refresh_token grants (probabilities 0–1). */
    faults: (profile: Partial<FaultProfile>) => control('faults', 'POST', profile),
    /** Changes a person's name and/or email at the IdP; answers their profile as it now is. */
    profile: (account: string, change: { name?: string; email?: string }) =>
      control(`profile?account=${encodeURIComponent(account)}`, 'POST', change) as Promise<{ account: string; name: string; email: string }>,
    revoke: (account: string) => control(`revoke?account=${encodeURIComponent(account)}`) as Promise<{ revokedGrants: number }>,
    /** ID tokens from now on are signed with a new key, published first in the JWKS; answers its kid. */
    rotateSigningKey: () => control('rotate-signing-key') as Promise<{ kid: string }>,
    /** The next ID token is signed with a key the IdP never publishes, under the kid in use. */
    forgeNextIdToken: () => control('forge-next-id-token'),
  };
}
