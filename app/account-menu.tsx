'use client';

import { usePathname } from 'next/navigation';
import { useEffect, useState } from 'react';

type Account = { readonly state: 'checking' } | { readonly state: 'signed-in'; readonly name: string } | { readonly state: 'signed-out' };

/**
 * The header's account corner: the person's name and Sign out, or Sign in. The layout
 * around it is shared by every page and kept across client navigations, so it cannot
 * know who is signed in when it renders (and must not ask: that would make every page
 * dynamic). This island asks /api/whoami instead, at each navigation and whenever the tab
 * comes back into view, so a session ended elsewhere shows here at the next click.
 * Without JavaScript it cannot ask, so it offers both Sign in and Sign out: neither claims
 * who is signed in, and either works whatever the answer.
 */
export function AccountMenu() {
  const pathname = usePathname();
  const [account, setAccount] = useState<Account>({ state: 'checking' });

  useEffect(() => {
    const controller = new AbortController();
    async function check() {
      try {
        const response = await fetch('/api/whoami', { cache: 'no-store', signal: controller.signal });
        // Registry down: keep what the header showed rather than guess.
        if (!response.ok) return;
        const { person } = (await response.json()) as { person: { name: string } | null };
        setAccount(person ? { state: 'signed-in', name: person.name } : { state: 'signed-out' });
      } catch {
        // Offline, or this navigation was superseded by the next: the next check answers.
      }
    }
    function checkWhenVisible() {
      if (document.visibilityState === 'visible') void check();
    }
    void check();
    document.addEventListener('visibilitychange', checkWhenVisible);
    return () => {
      controller.abort();
      document.removeEventListener('visibilitychange', checkWhenVisible);
    };
  }, [pathname]);

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
