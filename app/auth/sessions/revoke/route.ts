import { revokeSessionHandler } from '@/auth/handlers/sessions';

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = revokeSessionHandler;
