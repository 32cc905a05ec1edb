import { jwksHandler } from '@/auth/handlers/jwks';

export const dynamic = 'force-dynamic';
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = jwksHandler;
