import { handleStepUp } from '@/lib/auth';

export const GET = handleStepUp;
