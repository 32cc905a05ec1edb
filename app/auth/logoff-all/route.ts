import { logoffAllHandler } from '@/auth/handlers/logoff-all';

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = logoffAllHandler;
