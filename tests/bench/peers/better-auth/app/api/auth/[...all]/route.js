import { toNextJsHandler } from 'better-auth/next-js';
import { refreshAuth } from '../../../../lib/auth.js';

export const { GET, POST } = toNextJsHandler(refreshAuth);
