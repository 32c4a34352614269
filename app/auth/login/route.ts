import { handleLogin } from '@/lib/auth';

export const GET = handleLogin;
