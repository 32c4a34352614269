'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';

/**
 * The access token's remaining life, ticking. When it runs out the page refreshes itself
 * through the proxy, which renews the session, so a person watching sees renewal happen.
 */
export function TokenCountdown({ expiresAt, issuedAt }: { expiresAt: number; issuedAt: number }) {
  const router = useRouter();
  const [now, setNow] = useState(() => Date.now() / 1000);
  const refreshedFor = useRef<number | null>(null);

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now() / 1000), 1000);
    return () => clearInterval(timer);
  }, []);

  const remaining = Math.max(0, Math.round(expiresAt - now));
  useEffect(() => {
    if (remaining === 0 && refreshedFor.current !== expiresAt) {
      refreshedFor.current = expiresAt;
      router.refresh();
    }
  }, [remaining, expiresAt, router]);

  const lifetime = Math.max(1, expiresAt - issuedAt);
  return (
    <div>
      <strong data-testid="remaining">{remaining > 0 ? `${remaining} s left` : 'renewing…'}</strong>
      <div className="meter" aria-hidden="true">
        <span style={{ width: `${Math.min(100, (100 * remaining) / lifetime)}%` }} />
      </div>
    </div>
  );
}
