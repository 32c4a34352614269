'use client';

import { useSearchParams } from 'next/navigation';

/** Reasons that report nothing wrong: shown as information, not as a warning. */
const NEUTRAL_REASONS = new Set(['signin', 'signed_out']);

/**
 * The sign-in page's part that depends on its address: why the person is asked to sign
 * in (`reason`, in words from `reasons`) and where they go afterwards (`returnTo`). The
 * page is static, so this reads the address in the browser.
 */
export function SignInFromAddress({ reasons }: { reasons: Readonly<Record<string, string>> }) {
  const params = useSearchParams();
  const reason = params.get('reason');
  // Own keys only: `?reason=constructor` names no reason.
  const text = reason !== null && Object.hasOwn(reasons, reason) ? reasons[reason] : undefined;
  return <SignInForm notice={text === undefined ? undefined : { text, neutral: NEUTRAL_REASONS.has(reason ?? '') }} returnTo={params.get('returnTo') ?? undefined} />;
}

/**
 * The form that starts sign-in at /auth/login, which keeps `returnTo` on this site
 * (safeReturnTo) whatever it says. Without `returnTo` (before the address is read, or
 * without JavaScript), /auth/login takes it from the sign-in page's address, which the
 * browser sends as Referer.
 */
export function SignInForm({ notice, returnTo }: { notice?: { text: string; neutral: boolean }; returnTo?: string }) {
  return (
    <>
      {notice && (
        <p className={notice.neutral ? 'notice info' : 'notice'} role="status" data-testid="reason">
          {notice.text}
        </p>
      )}
      <p>You will be sent to your identity provider, then brought back here.</p>
      <form action="/auth/login" method="get">
        {returnTo !== undefined && <input type="hidden" name="returnTo" value={returnTo} />}
        <button type="submit">Sign in</button>
      </form>
    </>
  );
}
