import { handleLogout } from '@/lib/auth';

export const POST = handleLogout;
