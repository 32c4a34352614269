import { handleRenew } from '@/lib/auth';

export const GET = handleRenew;
