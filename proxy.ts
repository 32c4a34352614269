import { authProxy } from './lib/auth';

/** Protected pages pass through validateSession here, renewed before they render (lib/auth/page-proxy.ts). */
export const proxy = authProxy;

// Every page except the public ones (/, /signin, /status) and what is not a page: API
// routes validate in their handlers, /auth/* are the sign-in routes themselves, and
// /_next/* and the icon are static. A new page is protected without touching this list.
export const config = {
  matcher: ['/((?!api/|auth/|signin|status|_next/|favicon\\.ico|icon).+)'],
};
