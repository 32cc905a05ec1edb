import { passwordChangeHandler } from '@/auth/handlers/password';

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = passwordChangeHandler;
