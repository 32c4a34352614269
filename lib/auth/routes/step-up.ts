import 'server-only';
import { type NextRequest, NextResponse } from 'next/server';
import { env } from '../../env';
import { readSessionCookie } from '../cookie/sealed-cookie';
import { noticePage, unavailablePage, unavailableResponse } from '../entry/notice-page';
import { hasRequiredAcr, isRecentAuthentication } from '../entry/step-up';
import { revokeRefreshToken, type SignedIn, type SignInTransaction, startSignIn, type StepUpRequest } from '../idp/oidc';
import { nowSeconds, readSession } from '../refresh/runtime';
import { audit } from '../registry/registry';
import { findIntent, takeIntent } from '../registry/step-up-intents';
import type { SessionData } from '../session-payload';
import { continueSession, redirectWithSession } from './continue-session';
import { toIdp } from './login';
import { safeReturnTo } from './return-to';

/**
 * The step-up round trip: `/auth/step-up?intent=…` sends the person to the IdP for a fresh
 * authentication, and the callback (finishStepUp) checks it, continues the session and
 * finishes the kept action. Nothing here ever ends the session: a step-up that fails,
 * is cancelled or expires leaves the person signed in, back on the page they were on,
 * with `?status=` saying what happened (STEP_UP_STATUS_TEXT).
 */

/** Finishes a kept sensitive action for `session`; answers the path to show next (with its own `?status=`). */
export type SensitiveActionFinisher = (action: unknown, session: SessionData) => Promise<string>;

export type StepUpStatus = 'step_up_cancelled' | 'step_up_failed' | 'step_up_other_person' | 'step_up_expired' | 'step_up_unfinished';

/** What each step-up outcome that did not finish the action means to the person. */
const STEP_UP_STATUS_TEXT: Readonly<Record<StepUpStatus, string>> = {
  step_up_cancelled: 'Confirming who you are was cancelled at your identity provider, so nothing was done. You are still signed in.',
  step_up_failed: 'Your identity provider did not confirm a recent sign-in, so nothing was done. You are still signed in; try again.',
  step_up_other_person: 'You confirmed as a different person at your identity provider, so nothing was done. You are still signed in as before.',
  step_up_expired: 'That request to confirm who you are expired or was already used, so nothing was done. Try again.',
  step_up_unfinished: 'You confirmed who you are, but the action could not be completed because a service did not answer. Try again in a moment: you will not be asked to confirm again for a few minutes.',
};

/** The notice a page shows for `?status=` when it names a step-up that did not finish its action. */
export function stepUpNotice(status: string | undefined): { readonly tone: 'info' | 'error'; readonly text: string } | undefined {
  if (status === undefined || !Object.hasOwn(STEP_UP_STATUS_TEXT, status)) return undefined;
  return { tone: status === 'step_up_expired' ? 'info' : 'error', text: STEP_UP_STATUS_TEXT[status as StepUpStatus] };
}

/** The IdP's `auth_time` is by its clock, and ours may differ a little from it. */
const CLOCK_LEEWAY_SEC = 30;

/** `path` with `?status=`: how a step-up that did not finish its action comes back. */
export function withStatus(path: string, status: StepUpStatus): string {
  const url = new URL(safeReturnTo(path), env().appUrl);
  url.searchParams.set('status', status);
  return `${url.pathname}${url.search}`;
}

function redirectTo(path: string): NextResponse {
  return NextResponse.redirect(new URL(path, env().appUrl), 303);
}

/** GET /auth/step-up?intent=… — starts the fresh authentication a kept action waits for. */
export async function handleStepUp(request: NextRequest): Promise<NextResponse> {
  const config = env();
  const now = nowSeconds();
  let session: SessionData | undefined;
  let returnTo: string | undefined;
  const intent = request.nextUrl.searchParams.get('intent') ?? '';
  try {
    session = await readSession(readSessionCookie(request.cookies, config.secureCookies));
    returnTo = session && intent ? (await findIntent(intent, session.sid, now))?.returnTo : undefined;
  } catch (error) {
    console.error('renewal: could not start a step-up:', error instanceof Error ? error.message : error);
    return unavailableResponse(unavailablePage('/', 'service'), 'service');
  }
  if (!session) return redirectTo(`/signin?${new URLSearchParams({ reason: 'signin' })}`);
  if (returnTo === undefined) {
    const page = noticePage({ title: 'Nothing was done', message: STEP_UP_STATUS_TEXT.step_up_expired, href: '/dashboard', action: 'Back to your dashboard' });
    return new NextResponse(page, { status: 400, headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' } });
  }
  const { stepUpMaxAgeSec, stepUpAcrValues } = config.identity;
  // acr_values alone does not make an IdP ask again when its own session is weaker.
  const forceLogin = !hasRequiredAcr(session, config.identity);
  const stepUp: StepUpRequest = { intent, maxAgeSec: stepUpMaxAgeSec, acrValues: stepUpAcrValues.join(' ') || undefined, forceLogin };
  return askIdp(request, safeReturnTo(returnTo), stepUp);
}

async function askIdp(request: NextRequest, returnTo: string, stepUp: StepUpRequest): Promise<NextResponse> {
  try {
    return await toIdp(await startSignIn(returnTo, { stepUp }), request);
  } catch {
    return unavailableResponse(unavailablePage(returnTo, 'idp'), 'idp');
  }
}

/**
 * The IdP's answer to a step-up, already validated as a sign-in (signature, nonce, PKCE).
 * It must be the same person, authenticated within STEP_UP_MAX_AGE (and by a STEP_UP_ACR
 * method); an IdP that answered with an older authentication — some ignore `max_age` — is
 * asked once more with `prompt=login`. Then the session continues as its next generation
 * and the kept action is finished, once.
 */
export async function finishStepUp(
  request: NextRequest,
  transaction: SignInTransaction & { readonly stepUp: StepUpRequest },
  signedIn: SignedIn,
  now: number,
  finish: SensitiveActionFinisher,
): Promise<NextResponse> {
  const config = env();
  const { returnTo, stepUp } = transaction;
  const previous = await readSession(readSessionCookie(request.cookies, config.secureCookies));
  if (!previous) return redirectTo(withStatus(returnTo, 'step_up_expired'));
  if (previous.sub !== signedIn.subject) {
    // Nobody will use that grant: do not leave it live at the IdP.
    if (signedIn.tokens.refreshToken) await revokeRefreshToken(signedIn.tokens.refreshToken);
    return redirectTo(withStatus(returnTo, 'step_up_other_person'));
  }
  if (!isRecentAuthentication(signedIn, now, config.identity, CLOCK_LEEWAY_SEC)) {
    if (!stepUp.forceLogin) return askIdp(request, returnTo, { ...stepUp, forceLogin: true });
    console.warn(`renewal: a step-up came back without a recent authentication (auth_time ${signedIn.authTime ?? 'absent'}, acr ${signedIn.acr ?? 'absent'}); see docs/CONFIGURATION.md, "Step-up"`);
    return redirectTo(withStatus(returnTo, 'step_up_failed'));
  }
  const session = await continueSession(previous, signedIn, now);
  if (!session) return redirectTo(withStatus(returnTo, 'step_up_expired'));
  const intent = await takeIntent(stepUp.intent, session.sid, now);
  await audit({ type: 'stepped_up', sessionId: session.sid, userId: session.userId, reason: intent ? actionName(intent.action) : 'expired' });
  return redirectWithSession(intent ? await finishKept(intent.action, session, returnTo, finish) : withStatus(returnTo, 'step_up_expired'), session, request, now);
}

/** Runs the app's finisher; a failure there leaves the session continued and says so, rather than losing the new cookie. */
async function finishKept(action: unknown, session: SessionData, returnTo: string, finish: SensitiveActionFinisher): Promise<string> {
  try {
    return await finish(action, session);
  } catch (error) {
    console.error('renewal: a sensitive action kept for a step-up failed:', error instanceof Error ? error.message : error);
    return withStatus(returnTo, 'step_up_unfinished');
  }
}

/** The kept action's `kind`, for the audit trail: never its data. */
function actionName(action: unknown): string {
  const kind = (action as { kind?: unknown } | null)?.kind;
  return typeof kind === 'string' ? kind.slice(0, 64) : 'action';
}
