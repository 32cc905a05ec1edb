import { totpDisableHandler } from '@/auth/handlers/mfa';

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = totpDisableHandler;
