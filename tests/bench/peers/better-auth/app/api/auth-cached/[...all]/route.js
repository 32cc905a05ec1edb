import { toNextJsHandler } from 'better-auth/next-js';
import { cachedAuth } from '../../../../lib/auth.js';

export const { GET, POST } = toNextJsHandler(cachedAuth);
