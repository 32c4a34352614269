import type { NextRequest } from 'next/server';
import { handleCallback } from '@/lib/auth';
import { finishSensitiveAction } from '@/lib/sensitive-actions';

export const GET = (request: NextRequest) => handleCallback(request, finishSensitiveAction);
