import 'server-only';

/** Stable codes of everything that can go wrong in signing in and staying signed in. */
export type AuthErrorCode =
  | 'config_invalid'
  | 'discovery_failed'
  | 'state_mismatch'
  | 'missing_transaction'
  | 'duplicate_parameter'
  | 'idp_error'
  | 'callback_failed'
  | 'refresh_terminal'
  | 'refresh_transient'
  | 'forbidden_origin';

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
