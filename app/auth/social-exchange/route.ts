import { socialExchangeHandler } from '@/auth/handlers/social-exchange';

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = socialExchangeHandler;
