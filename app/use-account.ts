'use client';

import { usePathname } from 'next/navigation';
import { useEffect, useState } from 'react';

/**
 * Who this browser is signed in as, as far as the page knows: `checking` until the first
 * answer, `unknown` when the server could not say and nothing was known before.
 */
export type Account =
  | { readonly state: 'checking' }
  | { readonly state: 'signed-in'; readonly name: string }
  | { readonly state: 'signed-out' }
  | { readonly state: 'unknown' };

/** A person, null for nobody, or undefined when /api/whoami could not say (registry down, offline). */
type Answer = { readonly name: string } | null | undefined;

let asking: Promise<Answer> | undefined;

/**
 * GET /api/whoami. Callers in the same task share one request: the header and the home
 * page's button ask in the same render and need one answer, not two. A later check (a
 * navigation, the tab shown again) sends its own, so its answer is never older than it.
 */
function whoAmI(): Promise<Answer> {
  if (!asking) {
    asking = ask();
    setTimeout(() => {
      asking = undefined;
    }, 0);
  }
  return asking;
}

async function ask(): Promise<Answer> {
  try {
    const response = await fetch('/api/whoami', { cache: 'no-store' });
    if (!response.ok) return undefined;
    const { person } = (await response.json()) as { person: { name: string } | null };
    return person ? { name: person.name } : null;
  } catch {
    return undefined;
  }
}

/**
 * Who is signed in, for the parts of a static page that depend on it. Pages are the same
 * HTML for everyone (and the layout is kept across client navigations), so they ask
 * /api/whoami: at each navigation and whenever the tab comes back into view, so a session
 * ended elsewhere shows at the next click. When the server cannot say, the last answer
 * stands rather than a guess.
 */
export function useAccount(): Account {
  const pathname = usePathname();
  const [account, setAccount] = useState<Account>({ state: 'checking' });

  useEffect(() => {
    let current = true;
    async function check() {
      const answer = await whoAmI();
      if (!current) return;
      if (answer === undefined) setAccount((known) => (known.state === 'checking' ? { state: 'unknown' } : known));
      else setAccount(answer ? { state: 'signed-in', name: answer.name } : { state: 'signed-out' });
    }
    function checkWhenVisible() {
      if (document.visibilityState === 'visible') void check();
    }
    void check();
    document.addEventListener('visibilitychange', checkWhenVisible);
    return () => {
      // A superseded check's answer may be older than the next one's: drop it.
      current = false;
      document.removeEventListener('visibilitychange', checkWhenVisible);
    };
  }, [pathname]);

  return account;
}
