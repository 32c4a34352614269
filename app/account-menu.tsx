'use client';

import { useAccount } from './use-account';

/**
 * The header's account corner: the person's name and Sign out, or Sign in. The layout
 * around it is shared by every page and kept across client navigations, so it cannot
 * know who is signed in when it renders (and must not ask: that would make every page
 * dynamic); useAccount asks /api/whoami. Without JavaScript it cannot ask, so it offers
 * both Sign in and Sign out: neither claims who is signed in, and either works whatever
 * the answer.
 */
export function AccountMenu() {
  const account = useAccount();

  return (
    <div className="account" data-testid="account" data-state={account.state}>
      {account.state === 'checking' && (
        <noscript>
          <a href="/auth/login?returnTo=%2Fdashboard">Sign in</a> <SignOutButton />
        </noscript>
      )}
      {account.state === 'signed-in' && (
        <>
          <span data-testid="header-name">{account.name}</span>
          <SignOutButton />
        </>
      )}
      {account.state === 'signed-out' && (
        // A plain link: prefetching it would start a sign-in nobody asked for.
        <a href="/auth/login?returnTo=%2Fdashboard">Sign in</a>
      )}
    </div>
  );
}

function SignOutButton() {
  return (
    <form action="/auth/logout" method="post">
      <button type="submit" className="secondary">
        Sign out
      </button>
    </form>
  );
}
