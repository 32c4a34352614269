import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { AccountMenu } from './account-menu';
import { SiteNav } from './site-nav';
import './globals.css';

export const metadata: Metadata = {
  title: 'Renewal',
  description: 'Sign in with OpenID Connect, and stay signed in.',
};

/** The shell of every page. It reads no cookie: who is signed in is the AccountMenu island's to show. */
export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header>
          <Link href="/" className="brand">
            Renewal
          </Link>
          <SiteNav />
          <AccountMenu />
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
