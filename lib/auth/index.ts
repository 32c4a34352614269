/**
 * Renewal's auth, as pages, route handlers, server actions and the proxy use it. Nothing
 * outside lib/auth imports its folders (lib/auth/layering.test.ts), so they can be
 * renamed and split freely; docs/ARCHITECTURE.md says what each folder owns.
 *
 * - proxy.ts: `authProxy` (renews pages before they render)
 * - Server Components: `requireSession(returnTo)` (read-only check, redirects to sign-in)
 * - route handlers: `withSession(handler)`; server actions: `getAccessToken()`,
 *   `requireActionSession()` (validate, renew when due, write the cookie)
 * - calling an API with the session's token: `resourceAuthorization(session, method, url)`
 *   (Bearer, or DPoP with its proof), `getSession({ forceRefresh })` after a refusal
 * - the /auth routes: `handleLogin`, `handleCallback`, `handleLogout`, `handleStepUp`,
 *   `handleUnavailable` (where a render that cannot check its session sends the person)
 * - sensitive actions: `requireRecentAuthentication(session, action, returnTo)` (step-up),
 *   `needsStepUp(session)` for the pages that offer one, `stepUpNotice(status)`
 * - server actions' failures: `sessionFailure(error)` (sign in again, or try again), `signInPath`
 * - the header, through /api/whoami: `signedInPerson()` (never admits; pages call `requireSession`)
 * - the page sign-out returns to (`/?state=…`, app/sign-out-return): `confirmsSignOut(state)`
 * - the sign-in page: `REASON_TEXT` (what each `reason` means; the page is static, its island reads the URL)
 * - the dashboard's chart: `sessionTimeline(session, events)`
 * - audit events in words: `eventLabel(type)`
 */
import 'server-only';

export { handleBackchannelLogout } from './routes/backchannel-logout';
export { handleCallback } from './routes/callback';
export { handleLogin } from './routes/login';
export { handleLogout } from './routes/logout';
export { handleRenew } from './routes/renew';
export { safeReturnTo } from './routes/return-to';
export { confirmsSignOut } from './routes/sign-out-state';
export { handleStepUp, type SensitiveActionFinisher, stepUpNotice } from './routes/step-up';
export { handleUnavailable } from './routes/unavailable';

export { authProxy } from './entry/page-proxy';
export { requireSession, type SignedInPerson, signedInPerson } from './entry/page-session';
export { REASON_TEXT } from './entry/reasons';
export { getAccessToken, getSession, requireActionSession, type SessionContext, unavailableJson, withSession } from './entry/server-session';
export { logServiceFailure, sessionFailure, signInPath } from './entry/session-failure';
export { needsStepUp, requireRecentAuthentication, type StepUpGate } from './entry/step-up';

export { eventLabel } from './account/event-labels';
export { endOtherOwnSessions, endOwnSession, listOwnSessions, type OwnSession } from './account/own-sessions';
export { sessionTimeline } from './account/session-timeline';
export type { LegendKey, MarkerKind, TimelineChart } from './account/timeline-layout';
export { recentEvents } from './registry/registry';
export { checkIdpDiscovery, resourceAuthorization } from './idp/oidc';

export { AuthError, type AuthErrorCode, isAuthError } from './errors';
export type { SessionData } from './session-payload';
