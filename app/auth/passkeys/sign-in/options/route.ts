import { passkeySignInOptionsHandler } from '@/auth/handlers/passkeys';

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = passkeySignInOptionsHandler;
