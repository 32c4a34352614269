import { handleCallback } from '@/lib/auth';

export const GET = handleCallback;
