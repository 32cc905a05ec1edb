import { logoffHandler } from '@/auth/handlers/logoff';

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = logoffHandler;
