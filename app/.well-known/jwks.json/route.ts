import { jwksHandler } from '@/auth/handlers/jwks';

export const dynamic = 'force-dynamic';
export {
  jwksHandler as GET,
  jwksHandler as HEAD,
  jwksHandler as POST,
  jwksHandler as PUT,
  jwksHandler as PATCH,
  jwksHandler as DELETE,
  jwksHandler as OPTIONS,
};
