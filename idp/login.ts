import { authenticate, verifyOtp } from './accounts.js';

/**
 * The authentication context classes the dev IdP offers (OIDC Core §2 `acr`): `pwd`, a
 * password; `mfa`, a password and a one-time code. Only a client asking for `mfa` in
 * `acr_values` gets the one-time code field.
 */
export const ACR_VALUES = ['pwd', 'mfa'] as const;

/** The login result oidc-provider records in the session, and then in every ID token of it. */
export type LoginResult = {
  readonly accountId: string;
  readonly acr: (typeof ACR_VALUES)[number];
  /** RFC 8176 authentication method references. */
  readonly amr: string[];
};

export type LoginOutcome =
  | { readonly kind: 'signed_in'; readonly login: LoginResult }
  | { readonly kind: 'refused'; readonly error: string };

/** Does an authorization request's `acr_values` (space-separated) ask for `mfa`? */
export function asksForMfa(acrValues: unknown): boolean {
  return typeof acrValues === 'string' && acrValues.split(' ').includes('mfa');
}

/** What a submitted login form yields; `mfa` when the client asked for it, so the form had the one-time code field. */
export function login(form: URLSearchParams, mfa: boolean): LoginOutcome {
  const account = authenticate(form.get('username') ?? '', form.get('password') ?? '');
  if (!account) return { kind: 'refused', error: 'Wrong username or password.' };
  if (!mfa) return { kind: 'signed_in', login: { accountId: account.id, acr: 'pwd', amr: ['pwd'] } };
  if (!verifyOtp(form.get('otp') ?? '')) return { kind: 'refused', error: 'Wrong or missing one-time code.' };
  return { kind: 'signed_in', login: { accountId: account.id, acr: 'mfa', amr: ['pwd', 'otp'] } };
}
