/**
 * What each reason code means to a person, shown on the sign-in page (`/signin?reason=…`).
 * The page is static: it hands this table to the island that reads the address.
 */
export const REASON_TEXT: Readonly<Record<string, string>> = {
  signin: 'Please sign in to continue.',
  expired: 'Your session has ended because it expired. Please sign in again.',
  idle: 'You were signed out because this session was not used for a while. Please sign in again.',
  revoked: 'Your session was ended: you signed out elsewhere, or it was revoked. Please sign in again.',
  idp_logout: 'You signed out at your identity provider (or your sessions were ended there), so this session ended too. Please sign in again.',
  refresh_failed: 'Your identity provider no longer accepts this session (it may have been revoked there). Please sign in again.',
  superseded: 'This request carried an outdated copy of your session. If you are still signed in in another tab, just go back; otherwise please sign in again.',
  reauth_required: 'Your session needed renewing and your identity provider asks you to sign in again.',
  invalid: 'Your session could not be read (it may have been altered or the server keys changed). Please sign in again.',
  signed_out: 'You are signed out.',
  cross_site: 'That request came from another site, so it was refused. Nothing was changed.',
  signin_expired: 'That sign-in attempt expired or was already used. Please try again.',
  access_denied: 'Sign-in was cancelled or refused at the identity provider.',
  idp_error: 'The identity provider could not complete the sign-in. Please try again.',
  client_refused: 'The identity provider refused this application\'s credentials, so you could not be signed in. This is a setup problem on our side, not yours: please tell the site\'s operator (the server log says what to change).',
  tokens_too_large: 'Your identity provider signed you in, but its tokens are too large for this application to keep in your browser, so no session was created. This is a setup problem on our side, not yours: please tell the site\'s operator.',
  callback_failed: 'The sign-in response could not be verified, so no session was created. Please try again.',
  idp_unavailable: 'The identity provider cannot be reached right now. Please try again in a moment.',
};
