import type { NextRequest } from 'next/server';
import { respond, respondUnavailable } from './lib/auth/respond';
import { validateRequest } from './lib/auth/runtime';

/** Every protected page and API call passes through validateSession (lib/auth/validate.ts). */
export async function proxy(request: NextRequest) {
  try {
    return await respond(request, await validateRequest(request.cookies));
  } catch (error) {
    return respondUnavailable(request, error);
  }
}

// Protected areas. Public pages (/, /signin) and the /auth/* routes are not listed.
export const config = {
  matcher: ['/dashboard/:path*', '/api/:path*'],
};
