'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';

const PAGES = [
  { href: '/dashboard', label: 'Dashboard' },
  { href: '/notes', label: 'Notes' },
  { href: '/sessions', label: 'Sessions' },
] as const;

/** The protected pages, the current one marked for assistive technology as well as by eye. */
export function SiteNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Pages">
      {PAGES.map(({ href, label }) => (
        <Link key={href} href={href} aria-current={pathname === href ? 'page' : undefined}>
          {label}
        </Link>
      ))}
    </nav>
  );
}
