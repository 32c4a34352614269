import { handleBackchannelLogout } from '@/lib/auth';

export const POST = handleBackchannelLogout;
