import 'server-only';

/** Stable codes of sign-in failures. Refresh failures are outcomes, not errors: see RefreshResult in oidc.ts. */
export type AuthErrorCode = 'discovery_failed' | 'idp_error' | 'callback_failed';

/**
 * The one error type of lib/auth. Callers branch on `code`; the message is for logs and
 * never carries a token, a code or a secret.
 */
export class AuthError extends Error {
  readonly code: AuthErrorCode;

  constructor(code: AuthErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuthError';
    this.code = code;
  }
}

export function isAuthError(error: unknown, code?: AuthErrorCode): error is AuthError {
  return error instanceof AuthError && (code === undefined || error.code === code);
}
