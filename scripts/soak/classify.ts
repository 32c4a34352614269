/**
 * What one response to a protected request means, by the app's contract (proxy.ts and
 * lib/auth/respond.ts): pages are rejected with `303 /signin?reason=…`, API calls with
 * `401 {error:'unauthorized', reason}`; a page may be sent to `/auth/login?prompt=none` to
 * re-authenticate silently, an API call may answer `401 {reason:'reauthenticate'}`; while
 * the IdP or the database is down the answer is 503 with Retry-After, or for a page whose
 * render met the database down, a redirect to the 503 page /auth/unavailable.
 */
import { APP_URL } from './settings';

/** `renew`: GET /auth/renew?returnTo=/dashboard, which renews now and goes back (lib/auth/routes/renew.ts). */
export type ProtectedKind = 'navigation' | 'rsc' | 'prefetch' | 'api' | 'renew';

/** Where the soak's `renew` requests ask to go back to. */
export const RENEW_RETURN_TO = '/dashboard';

export type Verdict =
  | { readonly kind: 'ok'; readonly tokenVersion?: number }
  | { readonly kind: 'rejected'; readonly reason: string }
  /** A page sent to /auth/login?prompt=none (the browser follows it through the IdP). */
  | { readonly kind: 'reauth_redirect'; readonly location: URL }
  /** An API call answered 401 reauthenticate: the next navigation recovers. */
  | { readonly kind: 'reauth_requested' }
  | { readonly kind: 'unavailable' }
  | { readonly kind: 'server_error'; readonly detail: string }
  | { readonly kind: 'other'; readonly detail: string };

export interface ResponseLike {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

const TOKEN_VERSION_IN_PAGE = /data-testid="token-version"[^>]*>(?:<!-- -->)?(\d+)</;

function jsonBody(body: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function tokenVersion(kind: ProtectedKind, body: string): number | undefined {
  if (kind === 'api') {
    const session = jsonBody(body)?.session as { tokenVersion?: unknown } | undefined;
    return typeof session?.tokenVersion === 'number' ? session.tokenVersion : undefined;
  }
  if (kind === 'navigation') {
    const match = TOKEN_VERSION_IN_PAGE.exec(body);
    return match ? Number(match[1]) : undefined;
  }
  return undefined;
}

/** Where a redirect points, resolved against the URL that answered (by default the app's public URL). */
export function redirectTarget(response: ResponseLike, base: URL | string = APP_URL): URL | undefined {
  if (response.status < 300 || response.status >= 400) return undefined;
  const location = response.headers.get('location');
  return location ? new URL(location, base) : undefined;
}

/** Where the add-note action reports each outcome, as `/notes?status=…` (app/(protected)/notes/actions.ts). */
export const NOTES_PAGE = '/notes';
const ACTION_OUTCOMES: Readonly<Record<string, 'ok' | 'unavailable'>> = {
  added: 'ok',
  // The notes API, the IdP or our database not answering: "try again", still signed in.
  unavailable: 'unavailable',
  idp_unavailable: 'unavailable',
  service_unavailable: 'unavailable',
};

/**
 * The answer to the add-note server action. Posted by Next's router (JavaScript on) it is
 * a 200 naming its redirect in `x-action-redirect`; posted as a plain form it is a 303, or
 * whatever the proxy answers a page (a rejection, a silent re-authentication, a 503).
 */
export function classifyAction(response: ResponseLike): Verdict {
  const actionRedirect = response.headers.get('x-action-redirect');
  const target = actionRedirect ? new URL(actionRedirect.split(';')[0]!, APP_URL) : redirectTarget(response);
  if (target?.origin === new URL(APP_URL).origin && target.pathname === NOTES_PAGE) {
    const status = target.searchParams.get('status') ?? '(none)';
    const outcome = ACTION_OUTCOMES[status];
    return outcome === 'ok' ? { kind: 'ok' } : outcome === 'unavailable' ? { kind: 'unavailable' } : { kind: 'other', detail: `add-note action status=${status}` };
  }
  if (actionRedirect && target) return classify('navigation', { status: 303, headers: new Headers({ location: target.href }), body: '' });
  return classify('navigation', response);
}

export function classify(kind: ProtectedKind, response: ResponseLike): Verdict {
  const { status } = response;
  if (status === 200) {
    const version = tokenVersion(kind, response.body);
    return version === undefined ? { kind: 'ok' } : { kind: 'ok', tokenVersion: version };
  }
  // Node refuses request headers over 16 KB with 431: a cookie that grew past it locks its
  // owner out of every page, sign-out included — as bad as a sign-out.
  if (status === 431) return { kind: 'rejected', reason: 'request headers too large (431)' };
  const target = redirectTarget(response);
  if (kind === 'renew' && target && target.origin === new URL(APP_URL).origin && target.pathname === RENEW_RETURN_TO) return { kind: 'ok' };
  if (target && target.origin === new URL(APP_URL).origin) {
    if (target.pathname === '/signin') return { kind: 'rejected', reason: target.searchParams.get('reason') ?? '(none)' };
    if (target.pathname === '/auth/login' && target.searchParams.get('prompt') === 'none') return { kind: 'reauth_redirect', location: target };
    // A render the proxy admitted that then could not check the session: its 503 page (lib/auth/routes/unavailable.ts).
    if (target.pathname === '/auth/unavailable') return { kind: 'unavailable' };
  }
  if (target) return { kind: 'other', detail: `${status} to ${target.origin === new URL(APP_URL).origin ? target.pathname : target.origin}` };
  if (status === 401) {
    const reason = jsonBody(response.body)?.reason;
    if (reason === 'reauthenticate') return { kind: 'reauth_requested' };
    return { kind: 'rejected', reason: typeof reason === 'string' ? reason : '(none)' };
  }
  if (status === 503) {
    return response.headers.has('retry-after') ? { kind: 'unavailable' } : { kind: 'server_error', detail: '503 without Retry-After' };
  }
  if (status >= 500) return { kind: 'server_error', detail: `${status}: ${response.body.slice(0, 120).replace(/\s+/g, ' ')}` };
  return { kind: 'other', detail: `${status}` };
}
