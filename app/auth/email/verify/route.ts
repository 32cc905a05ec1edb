import { verifyEmailHandler } from '@/auth/handlers/email';

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = verifyEmailHandler;
