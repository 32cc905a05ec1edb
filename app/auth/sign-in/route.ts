import { signInHandler } from '@/auth/handlers/sign-in';

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = signInHandler;
