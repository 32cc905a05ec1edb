import { describe, expect, it } from 'vitest';
import { verifyPassword } from '@/auth/passwords';
import { verifyArgon2 } from '@/auth/passwords/argon2';
import { verifyPbkdf2 } from '@/auth/passwords/pbkdf2';
import { verifyScrypt } from '@/auth/passwords/scrypt';

// Pieces of genuine Django hashes of "lètmein" / "secret" (see django-vectors.test.ts), so each row
// below is wrong only in the way its name says.
const SHA256_B64 = '8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=';
const SCRYPT_B64 =
  'Qj3+9PPyRjSJIebHnG81TMjsqtaIGxNQG/aEB/NYafTJ7tibgfYz71m0ldQESkXFRkdVCBhhY8mx7rQwite/Pw==';
const ARGON2_TAIL = 'Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw';

const malformed: { name: string; encoded: string }[] = [
  { name: 'an empty string', encoded: '' },
  { name: 'an unknown algorithm (Django test_bad_algorithm)', encoded: 'lolcat$salt$hash' },
  { name: 'no algorithm at all', encoded: 'lètmein_badencoded' },
  {
    name: "Django's unsalted md5, which is not supported",
    encoded: 'md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3',
  },
  { name: 'pbkdf2 with a field missing', encoded: 'pbkdf2_sha256$390000$seasalt' },
  { name: 'pbkdf2 with an extra field', encoded: `pbkdf2_sha256$390000$seasalt$${SHA256_B64}$x` },
  {
    name: 'pbkdf2 with non-numeric iterations',
    encoded: `pbkdf2_sha256$abc$seasalt$${SHA256_B64}`,
  },
  { name: 'pbkdf2 with zero iterations', encoded: `pbkdf2_sha256$0$seasalt$${SHA256_B64}` },
  { name: 'pbkdf2 with negative iterations', encoded: `pbkdf2_sha256$-1$seasalt$${SHA256_B64}` },
  { name: 'pbkdf2 with exponent iterations', encoded: `pbkdf2_sha256$39e4$seasalt$${SHA256_B64}` },
  {
    name: 'pbkdf2 with leading-zero iterations',
    encoded: `pbkdf2_sha256$0390000$seasalt$${SHA256_B64}`,
  },
  {
    name: 'pbkdf2 above 10,000,000 iterations',
    encoded: `pbkdf2_sha256$10000001$seasalt$${SHA256_B64}`,
  },
  {
    name: 'pbkdf2 with absurd iterations',
    encoded: `pbkdf2_sha256$999999999999$seasalt$${SHA256_B64}`,
  },
  { name: 'pbkdf2 with an empty salt', encoded: `pbkdf2_sha256$390000$$${SHA256_B64}` },
  {
    name: 'pbkdf2 with a hash that is not base64',
    encoded: 'pbkdf2_sha256$390000$seasalt$not*base64!',
  },
  {
    name: 'pbkdf2 with unpadded base64',
    encoded: `pbkdf2_sha256$390000$seasalt$${SHA256_B64.slice(0, -1)}`,
  },
  { name: 'pbkdf2 with a short digest', encoded: 'pbkdf2_sha256$390000$seasalt$AAAA' },
  {
    name: 'pbkdf2_sha1 with a sha256-sized digest',
    encoded: `pbkdf2_sha1$390000$seasalt$${SHA256_B64}`,
  },
  { name: 'scrypt with a field missing', encoded: 'scrypt$16384$seasalt$8$1' },
  { name: 'scrypt with N not a power of two', encoded: `scrypt$16385$seasalt$8$1$${SCRYPT_B64}` },
  { name: 'scrypt with N of 1', encoded: `scrypt$1$seasalt$8$1$${SCRYPT_B64}` },
  {
    name: 'scrypt asking for 1 GiB (N=2^20, r=8)',
    encoded: `scrypt$1048576$seasalt$8$1$${SCRYPT_B64}`,
  },
  { name: 'scrypt with N beyond 2^20', encoded: `scrypt$4294967296$seasalt$8$1$${SCRYPT_B64}` },
  { name: 'scrypt with a huge block size', encoded: `scrypt$16384$seasalt$1024$1$${SCRYPT_B64}` },
  { name: 'scrypt with huge parallelism', encoded: `scrypt$16384$seasalt$8$1000$${SCRYPT_B64}` },
  { name: 'scrypt with zero parallelism', encoded: `scrypt$16384$seasalt$8$0$${SCRYPT_B64}` },
  { name: 'scrypt with a 32-byte digest', encoded: `scrypt$16384$seasalt$8$1$${SHA256_B64}` },
  { name: 'argon2 with nothing after the prefix', encoded: 'argon2' },
  {
    name: 'argon2 asking for 4 GiB',
    encoded: `argon2$argon2id$v=19$m=4194304,t=2,p=8$${ARGON2_TAIL}`,
  },
  {
    name: 'argon2 asking for 1000 passes',
    encoded: `argon2$argon2id$v=19$m=102400,t=1000,p=8$${ARGON2_TAIL}`,
  },
  {
    name: 'argon2 with zero passes',
    encoded: `argon2$argon2id$v=19$m=102400,t=0,p=8$${ARGON2_TAIL}`,
  },
  {
    name: 'argon2 with 255 lanes',
    encoded: `argon2$argon2id$v=19$m=102400,t=2,p=255$${ARGON2_TAIL}`,
  },
  {
    name: 'argon2 with less memory than 8 KiB per lane',
    encoded: `argon2$argon2id$v=19$m=8,t=2,p=8$${ARGON2_TAIL}`,
  },
  {
    name: 'argon2 with non-numeric memory',
    encoded: `argon2$argon2id$v=19$m=abc,t=2,p=8$${ARGON2_TAIL}`,
  },
  {
    name: 'argon2d, which Django never wrote',
    encoded: `argon2$argon2d$v=19$m=102400,t=2,p=8$${ARGON2_TAIL}`,
  },
  {
    name: 'argon2 with an unknown version',
    encoded: `argon2$argon2id$v=18$m=102400,t=2,p=8$${ARGON2_TAIL}`,
  },
  {
    name: 'argon2 without its hash',
    encoded: 'argon2$argon2id$v=19$m=102400,t=2,p=8$Y041dExhNkljRUUy',
  },
  {
    name: 'argon2 with a salt that is not base64',
    encoded: 'argon2$argon2id$v=19$m=102400,t=2,p=8$!!!$TMa6A8fPJhCAUXRhJXCXdw',
  },
  {
    name: 'argon2 with a salt under 8 bytes',
    encoded: 'argon2$argon2id$v=19$m=102400,t=2,p=8$c2FsdA$TMa6A8fPJhCAUXRhJXCXdw',
  },
  {
    name: 'a bare PHC string without the Django "argon2" prefix',
    encoded: `$argon2id$v=19$m=102400,t=2,p=8$${ARGON2_TAIL}`,
  },
  {
    name: 'a 10,000-character value',
    encoded: `pbkdf2_sha256$390000$${'s'.repeat(10_000)}$${SHA256_B64}`,
  },
];

const hashers = new Map<string, (password: string, encoded: string) => Promise<unknown>>([
  ['pbkdf2_sha256', verifyPbkdf2],
  ['pbkdf2_sha1', verifyPbkdf2],
  ['scrypt', verifyScrypt],
  ['argon2', verifyArgon2],
]);

// Rows whose prefix names a supported hasher, so that hasher itself must call them malformed
// (null) rather than merely fail to match.
const hasherRows = malformed.flatMap(({ name, encoded }) => {
  const algorithm = encoded.split('$', 1)[0] ?? '';
  const verify = hashers.get(algorithm);
  return verify && encoded.length <= 512 ? [{ name, encoded, algorithm, verify }] : [];
});

describe('malformed stored hashes', () => {
  it.each(malformed)('rejects $name without throwing', async ({ encoded }) => {
    await expect(verifyPassword('lètmein', encoded)).resolves.toEqual({
      valid: false,
      needsRehash: false,
    });
  });

  it.each(hasherRows)(
    'has the $algorithm hasher call $name malformed',
    async ({ encoded, verify }) => {
      await expect(verify('lètmein', encoded)).resolves.toBeNull();
    },
  );
});
