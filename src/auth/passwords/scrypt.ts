import { scrypt, type ScryptOptions } from 'node:crypto';
import { decodeBase64, digestsEqual, parseBoundedInt } from './encoding';

/** Django's ScryptPasswordHasher always derives 64 bytes (`dklen=64`). */
const SCRYPT_KEY_LENGTH = 64;

/**
 * Most memory a stored scrypt hash may ask for. Django passes `maxmem=0`, i.e. OpenSSL's 32 MiB
 * default, so no hash Django could verify needs more; 64 MiB leaves room for a custom subclass.
 */
export const MAX_SCRYPT_MEMORY = 64 * 1024 * 1024;

const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

function scryptAsync(
  password: Buffer,
  salt: Buffer,
  keyLength: number,
  options: ScryptOptions,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/**
 * Verifies Django's `scrypt$<N>$<salt>$<r>$<p>$<base64 hash>` (field order of Django's
 * `ScryptPasswordHasher.encode`), resolving null when malformed or asking for absurd work.
 */
export async function verifyScrypt(password: string, encoded: string): Promise<boolean | null> {
  const fields = encoded.split('$');
  if (fields.length !== 6 || fields[0] !== 'scrypt') return null;
  const [, nText = '', salt = '', rText = '', pText = '', hashText = ''] = fields;
  const n = parseBoundedInt(nText, MAX_N);
  const r = parseBoundedInt(rText, MAX_R);
  const p = parseBoundedInt(pText, MAX_P);
  const expected = decodeBase64(hashText);
  if (n === null || n < 2 || (n & (n - 1)) !== 0 || r === null || p === null) return null;
  if (salt === '' || expected?.length !== SCRYPT_KEY_LENGTH) return null;
  // OpenSSL allocates 128*r*(N+p+2) bytes (V plus B); refuse before allocating anything.
  const memory = 128 * r * (n + p + 2);
  if (memory > MAX_SCRYPT_MEMORY) return null;
  const derived = await scryptAsync(
    Buffer.from(password, 'utf8'),
    Buffer.from(salt, 'utf8'),
    SCRYPT_KEY_LENGTH,
    { N: n, r, p, maxmem: 2 * memory },
  );
  return digestsEqual(derived, expected);
}
