import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { signedInPerson } from '@/lib/auth';
import { SiteNav } from './site-nav';
import './globals.css';

export const metadata: Metadata = {
  title: 'Renewal',
  description: 'Sign in with OpenID Connect, and stay signed in.',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const person = await signedInPerson();
  return (
    <html lang="en">
      <body>
        <header>
          <Link href="/" className="brand">
            Renewal
          </Link>
          <SiteNav />
          <div className="account">
            {person ? (
              <>
                <span data-testid="header-name">{person.name}</span>
                <form action="/auth/logout" method="post">
                  <button type="submit" className="secondary">
                    Sign out
                  </button>
                </form>
              </>
            ) : (
              // A plain link: prefetching it would start a sign-in nobody asked for.
              <a href="/auth/login?returnTo=%2Fdashboard">Sign in</a>
            )}
          </div>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
