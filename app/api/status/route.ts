import { statusResponse } from '@/lib/status';

export const dynamic = 'force-dynamic';

export function GET() {
  return statusResponse();
}
