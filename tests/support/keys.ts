import { generateSecret, generateSigningKey } from '@/auth/config/secrets';
import type { Algorithm } from '@/auth/config/types';

/**
 * The mail settings production requires while sign-up or password reset is on: an https app
 * origin (mail links only) and an SMTP server that refuses connections (port 9); a suite that
 * reads mail sets SMTP_URL to its own catcher.
 */
export const TEST_MAIL_ENV = {
  AUTH_APP_URL: 'https://app.kit.test',
  SMTP_URL: 'smtp://127.0.0.1:9',
} as const;

/**
 * Production-shaped secrets for a test server: AUTH_SECRET and AUTH_SIGNING_KEYS (or
 * AUTH_HS256_KEY), with the mail settings production requires ({@link TEST_MAIL_ENV}).
 */
export async function testSecrets(algorithm: Algorithm = 'ES256'): Promise<{
  AUTH_SECRET: string;
  AUTH_SIGNING_KEYS?: string;
  AUTH_HS256_KEY?: string;
  AUTH_ALGORITHM: string;
  AUTH_APP_URL: string;
  SMTP_URL: string;
}> {
  const secret = generateSecret();
  if (algorithm === 'HS256')
    return {
      AUTH_SECRET: secret,
      AUTH_HS256_KEY: generateSecret(),
      AUTH_ALGORITHM: 'HS256',
      ...TEST_MAIL_ENV,
    };
  const key = await generateSigningKey(algorithm);
  return {
    AUTH_SECRET: secret,
    AUTH_SIGNING_KEYS: JSON.stringify({ keys: [key] }),
    AUTH_ALGORITHM: algorithm,
    ...TEST_MAIL_ENV,
  };
}
