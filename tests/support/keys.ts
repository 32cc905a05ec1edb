import { generateSecret, generateSigningKey } from '@/auth/config/secrets';
import type { Algorithm } from '@/auth/config/types';

/** Production-shaped secrets for a test server: AUTH_SECRET and AUTH_SIGNING_KEYS (or AUTH_HS256_KEY). */
export async function testSecrets(algorithm: Algorithm = 'ES256'): Promise<{
  AUTH_SECRET: string;
  AUTH_SIGNING_KEYS?: string;
  AUTH_HS256_KEY?: string;
  AUTH_ALGORITHM: string;
}> {
  const secret = generateSecret();
  if (algorithm === 'HS256')
    return { AUTH_SECRET: secret, AUTH_HS256_KEY: generateSecret(), AUTH_ALGORITHM: 'HS256' };
  const key = await generateSigningKey(algorithm);
  return {
    AUTH_SECRET: secret,
    AUTH_SIGNING_KEYS: JSON.stringify({ keys: [key] }),
    AUTH_ALGORITHM: algorithm,
  };
}
