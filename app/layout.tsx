import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: 'Renewal',
  description: 'Sign in with OpenID Connect, and stay signed in.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header>
          <Link href="/">Renewal</Link>
          <nav>
            <Link href="/dashboard">Dashboard</Link> <Link href="/notes">Notes</Link> <Link href="/sessions">Sessions</Link>
          </nav>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
