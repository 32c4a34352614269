/**
 * Renewal's auth, as pages, route handlers, server actions and the proxy use it. Nothing
 * outside lib/auth imports its other modules, so they can be renamed and split freely.
 *
 * - proxy.ts: `authProxy` (renews pages before they render)
 * - Server Components: `requireSession(returnTo)` (read-only check, redirects to sign-in)
 * - route handlers: `withSession(handler)`; server actions: `getAccessToken()`,
 *   `requireActionSession()` (validate, renew when due, write the cookie)
 * - the /auth routes: `handleLogin`, `handleCallback`, `handleLogout`
 * - server actions' failures: `sessionFailure(error)` (sign in again, or try again), `signInPath`
 * - the header, through /api/whoami: `signedInPerson()` (never admits; pages call `requireSession`)
 * - the home page, where sign-out returns: `confirmsSignOut(state)`
 * - the dashboard's chart: `sessionTimeline(session, events)`
 * - audit events in words: `eventLabel(type)`
 */
import 'server-only';

export { handleBackchannelLogout } from './backchannel-logout';
export { handleCallback } from './callback';
export { AuthError, type AuthErrorCode, isAuthError } from './errors';
export { eventLabel } from './event-labels';
export { handleLogin } from './login';
export { handleLogout } from './logout';
export { handleRenew } from './renew';
export { authProxy } from './page-proxy';
export { requireSession, type SignedInPerson, signedInPerson } from './page-session';
export { reasonText } from './reasons';
export { recentEvents } from './registry';
export { endOtherOwnSessions, endOwnSession, listOwnSessions, type OwnSession } from './own-sessions';
export { safeReturnTo } from './return-to';
export { logServiceFailure, sessionFailure, signInPath } from './session-failure';
export { sessionTimeline } from './session-timeline';
export { confirmsSignOut } from './sign-out-state';
export { getAccessToken, requireActionSession, type SessionContext, withSession } from './server-session';
export type { SessionData } from './session-payload';
export type { LegendKey, MarkerKind, TimelineChart } from './timeline';
