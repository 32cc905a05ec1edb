import { signUpHandler } from '@/auth/handlers/sign-up';

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = signUpHandler;
