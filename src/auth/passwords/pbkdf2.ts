import { pbkdf2 } from 'node:crypto';
import { promisify } from 'node:util';
import { decodeBase64, digestsEqual, parseBoundedInt } from './encoding';

const pbkdf2Async = promisify(pbkdf2);

/**
 * Most iterations a stored PBKDF2 hash may ask for: Django 6.0 uses 1,500,000, and a crafted row
 * with 10^9 would pin a CPU for minutes on every login attempt.
 */
export const MAX_PBKDF2_ITERATIONS = 10_000_000;

// Django's PBKDF2PasswordHasher / PBKDF2SHA1PasswordHasher: dklen defaults to the digest size.
const DIGESTS = new Map([
  ['pbkdf2_sha256', { name: 'sha256', length: 32 }],
  ['pbkdf2_sha1', { name: 'sha1', length: 20 }],
]);

/**
 * Verifies Django's `pbkdf2_sha256$<iterations>$<salt>$<base64 hash>` (or `pbkdf2_sha1$...`),
 * resolving null when the string is malformed or asks for absurd work.
 */
export async function verifyPbkdf2(password: string, encoded: string): Promise<boolean | null> {
  const fields = encoded.split('$');
  if (fields.length !== 4) return null;
  const [algorithm = '', iterationsText = '', salt = '', hashText = ''] = fields;
  const digest = DIGESTS.get(algorithm);
  const iterations = parseBoundedInt(iterationsText, MAX_PBKDF2_ITERATIONS);
  const expected = decodeBase64(hashText);
  if (!digest || iterations === null || salt === '' || expected?.length !== digest.length) {
    return null;
  }
  // Django encodes both password and salt as UTF-8 (force_bytes) before hashing.
  const derived = await pbkdf2Async(
    Buffer.from(password, 'utf8'),
    Buffer.from(salt, 'utf8'),
    iterations,
    digest.length,
    digest.name,
  );
  return digestsEqual(derived, expected);
}
