import { handleUnavailable } from '@/lib/auth';

export const GET = handleUnavailable;
