import { readinessResponse } from '@/lib/readiness';

export const dynamic = 'force-dynamic';

/** Readiness: the database and the IdP's discovery (lib/readiness.ts). `/status` is liveness. */
export function GET() {
  return readinessResponse();
}
