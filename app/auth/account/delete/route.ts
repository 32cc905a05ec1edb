import { accountDeleteHandler } from '@/auth/handlers/account';

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = accountDeleteHandler;
