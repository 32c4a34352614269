'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useRef } from 'react';
import { useNowSeconds } from './clock';

/**
 * The access token's remaining life, ticking. When it runs out the page refreshes itself
 * through the proxy, which renews the session, so a person watching sees renewal happen.
 */
export function TokenCountdown({ expiresAt, issuedAt }: { expiresAt: number; issuedAt: number }) {
  const router = useRouter();
  const now = useNowSeconds();
  const refreshedFor = useRef<number | null>(null);

  const remaining = now === null ? null : Math.max(0, Math.round(expiresAt - now));
  useEffect(() => {
    if (remaining === 0 && refreshedFor.current !== expiresAt) {
      refreshedFor.current = expiresAt;
      router.refresh();
    }
  }, [remaining, expiresAt, router]);

  const lifetime = Math.max(1, expiresAt - issuedAt);
  return (
    <div>
      <strong data-testid="remaining">{remaining === null ? '…' : remaining > 0 ? `${remaining} s left` : 'renewing…'}</strong>
      <div className="meter" aria-hidden="true">
        <span style={{ width: `${remaining === null ? 100 : Math.min(100, (100 * remaining) / lifetime)}%` }} />
      </div>
    </div>
  );
}
