import 'server-only';

/**
 * Stable codes. Sign-in: `discovery_failed`, `idp_unavailable`, `idp_error`, `client_refused` (the token endpoint refused this app's client credentials: an operator's setting), `callback_failed`. Using the
 * session from a server action or handler: `unauthenticated` (no usable session; `reason`
 * says why, as on the sign-in page) and `unavailable` (try again). Refresh failures are
 * outcomes, not errors: see RefreshResult in oidc.ts.
 */
export type AuthErrorCode = 'discovery_failed' | 'idp_unavailable' | 'idp_error' | 'client_refused' | 'callback_failed' | 'unauthenticated' | 'unavailable';

/**
 * The one error type of lib/auth. Callers branch on `code`; the message is for logs and
 * never carries a token, a code or a secret.
 */
export class AuthError extends Error {
  readonly code: AuthErrorCode;
  /** For `unauthenticated`: the reason code shown on the sign-in page (lib/auth/entry/reasons.ts). */
  readonly reason?: string;

  constructor(code: AuthErrorCode, message: string, options?: { cause?: unknown; reason?: string }) {
    super(message, options);
    this.name = 'AuthError';
    this.code = code;
    this.reason = options?.reason;
  }
}

export function isAuthError(error: unknown, code?: AuthErrorCode): error is AuthError {
  return error instanceof AuthError && (code === undefined || error.code === code);
}
