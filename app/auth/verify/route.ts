import { verifyHandler } from '@/auth/handlers/verify';

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = verifyHandler;
