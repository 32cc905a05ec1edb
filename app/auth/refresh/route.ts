import { refreshHandler } from '@/auth/handlers/refresh';

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = refreshHandler;
