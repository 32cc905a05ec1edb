import type { JWK } from 'jose';
import { z } from 'zod';
import { ALGORITHMS, type Algorithm } from './types';

const HOW_TO = 'generate one with `npm run auth -- generate-keys`';

function problem(raw: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return `must be a JSON private JWK set ({"keys":[...]}); ${HOW_TO}`;
  }
  const keys = Array.isArray(parsed) ? parsed : (parsed as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0)
    return `must hold at least one key ({"keys":[...]}); ${HOW_TO}`;
  for (const [index, key] of keys.entries()) {
    const jwk = key as JWK | null;
    if (typeof jwk !== 'object' || !jwk || typeof jwk.kty !== 'string' || typeof jwk.d !== 'string')
      return `key ${index} must be a private JWK (with "kty" and "d")`;
    if (typeof jwk.kid !== 'string' || !jwk.kid) return `key ${index} needs a "kid"`;
    if (!ALGORITHMS.includes(jwk.alg as Algorithm) || jwk.alg === 'HS256')
      return `key "${jwk.kid}" needs "alg" set to ES256, RS256 or EdDSA (got ${JSON.stringify(jwk.alg)})`;
  }
  return null;
}

/**
 * AUTH_SIGNING_KEYS: a private JWK set (`{"keys":[...]}`, or a bare array), each key with `kid`
 * and an asymmetric `alg`. The first key signs; all verify and are published.
 */
export const signingKeySet = z.string().transform((raw, ctx): JWK[] => {
  const message = problem(raw);
  if (message) {
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER as never;
  }
  const parsed = JSON.parse(raw) as JWK[] | { keys: JWK[] };
  return Array.isArray(parsed) ? parsed : parsed.keys;
});
