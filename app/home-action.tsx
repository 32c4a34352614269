'use client';

import Link from 'next/link';
import { useAccount } from './use-account';

/** A plain link: prefetching it would start a sign-in nobody asked for. */
const SIGN_IN = (
  <a className="button" href="/auth/login?returnTo=%2Fdashboard">
    Sign in
  </a>
);

/**
 * The home page's one button: where the person can go next. The page is static, so it
 * asks who is signed in (useAccount) and shows nothing until it knows, rather than a
 * "Sign in" that a signed-in person would see change under their pointer. Without
 * JavaScript, and when the server cannot say, it offers sign-in, which works either way.
 */
export function HomeAction() {
  const account = useAccount();
  return (
    <p className="home-action">
      {account.state === 'checking' && <noscript>{SIGN_IN}</noscript>}
      {account.state === 'signed-in' && (
        <Link className="button" href="/dashboard">
          Go to your dashboard
        </Link>
      )}
      {(account.state === 'signed-out' || account.state === 'unknown') && SIGN_IN}
    </p>
  );
}
