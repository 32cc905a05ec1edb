import { describe, expect, it } from 'vitest';
import { verifyPassword } from '@/auth/passwords';

// Every encoded string below was produced by Django itself and copied verbatim from Django's
// tests/auth_tests/test_hashers.py (or a line-by-line port of it), as noted per vector.
//
// [D41] django/django@02dbf1667c6da61ea9346f7c9f174a158b896811 tests/auth_tests/test_hashers.py
//       (Django 4.1 era: PBKDF2 390,000 iterations, scrypt p=1, argon2-cffi vectors).
// [D60] adamchainz/django@8c272f930f5eb31361008a7ba85f951cbc72ba64 tests/auth_tests/test_hashers.py
//       (a fork of Django's main branch, Django 6.0: PBKDF2 1,500,000 iterations, scrypt p=5).
// [RS]  djangohashers (Rust), tests that are "an almost line-by-line translation from the
//       hashers' test from Django 5.1 / 5.0" of test_pbkdf2.
// [LP]  libpass tests (Python), test_known: Django 5.2's test_pbkdf2 vector (1,000,000).
const vectors = [
  {
    name: 'pbkdf2_sha256 at 1,500,000 iterations (Django 6.0, test_pbkdf2) [D60]',
    password: 'lètmein',
    encoded: 'pbkdf2_sha256$1500000$seasalt$P4UiMPVduVWIL/oS1GzH+IofsccjJNM5hUTikBvi5to=',
  },
  {
    name: 'pbkdf2_sha256 at 1,000,000 iterations (Django 5.2, test_pbkdf2) [LP]',
    password: 'lètmein',
    encoded: 'pbkdf2_sha256$1000000$seasalt$r1uLUxoxpP2Ued/qxvmje7UH9PUJBkRrvf9gGPL7Cps=',
  },
  {
    name: 'pbkdf2_sha256 at 870,000 iterations (Django 5.1, test_pbkdf2) [RS]',
    password: 'lètmein',
    encoded: 'pbkdf2_sha256$870000$seasalt$wJSpLMQRQz0Dhj/pFpbyjMj71B2gUYp6HJS5AU+32Ac=',
  },
  {
    name: 'pbkdf2_sha256 at 720,000 iterations (Django 5.0, test_pbkdf2) [RS]',
    password: 'lètmein',
    encoded: 'pbkdf2_sha256$720000$seasalt$eDupbcisD1UuIiou3hMuMu8oe/XwnpDw45r6AA5iv0E=',
  },
  {
    name: 'pbkdf2_sha256 at 390,000 iterations (Django 4.1, test_pbkdf2) [D41]',
    password: 'lètmein',
    encoded: 'pbkdf2_sha256$390000$seasalt$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=',
  },
  {
    name: 'pbkdf2_sha256 with salt "seasalt2" (Django 4.1, test_low_level_pbkdf2) [D41]',
    password: 'lètmein',
    encoded: 'pbkdf2_sha256$390000$seasalt2$geC/uZ92nRXDSjSxeoiBqYyRcrLzMm8xK3ro1QS1uo8=',
  },
  {
    name: 'pbkdf2_sha1 at 1,500,000 iterations (Django 6.0, test_low_level_pbkdf2_sha1) [D60]',
    password: 'lètmein',
    encoded: 'pbkdf2_sha1$1500000$seasalt2$ep4Ou2hnt2mlvMRsIjUln0Z5MYY=',
  },
  {
    name: 'pbkdf2_sha1 at 390,000 iterations (Django 4.1, test_low_level_pbkdf2_sha1) [D41]',
    password: 'lètmein',
    encoded: 'pbkdf2_sha1$390000$seasalt2$aDapRanzW8aHTz97v2TcfHzWD+I=',
  },
  {
    name: 'scrypt N=16384 r=8 p=1 (Django 4.x, test_scrypt) [D41]',
    password: 'lètmein',
    encoded:
      'scrypt$16384$seasalt$8$1$Qj3+9PPyRjSJIebHnG81TMjsqtaIGxNQG/aEB/NY' +
      'afTJ7tibgfYz71m0ldQESkXFRkdVCBhhY8mx7rQwite/Pw==',
  },
  {
    name: 'scrypt N=16384 r=8 p=5 (Django 6.0, test_scrypt) [D60]',
    password: 'lètmein',
    encoded:
      'scrypt$16384$seasalt$8$5$ECMIUp+LMxMSK8xB/IVyba+KYGTI7FTnet025q/1f' +
      '/vBAVnnP3hdYqJuRi+mJn6ji6ze3Fbb7JEFPKGpuEf5vw==',
  },
  {
    name: 'argon2id m=102400 t=2 p=8, Django default parameters (test_argon2_version_upgrade) [D41]',
    password: 'secret',
    encoded: 'argon2$argon2id$v=19$m=102400,t=2,p=8$Y041dExhNkljRUUy$TMa6A8fPJh' + 'CAUXRhJXCXdw',
  },
  {
    name: 'argon2i with v=19 (test_argon2, "Old hashes with version attribute") [D41]',
    password: 'secret',
    encoded: 'argon2$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q',
  },
  {
    name: 'argon2i without v= (test_argon2, "Old hashes without version attribute") [D41]',
    password: 'secret',
    encoded:
      'argon2$argon2i$m=8,t=1,p=1$c29tZXNhbHQ$gwQOXSNhxiOxPOA0+PY10P9QFO' +
      '4NAYysnqRt1GSQLE55m+2GYDt9FEjPMHhP2Cuf0nOEXXMocVrsJAtNSsKyfg',
  },
];

describe('Django-produced hashes', () => {
  it.each(vectors)('verifies $name and asks for a rehash', async ({ password, encoded }) => {
    await expect(verifyPassword(password, encoded)).resolves.toEqual({
      valid: true,
      needsRehash: true,
    });
  });

  it.each(vectors)('rejects a wrong password for $name', async ({ password, encoded }) => {
    // Django's tests use "lètmeinz" against "lètmein" and "wrong" against "secret".
    await expect(verifyPassword(`${password}z`, encoded)).resolves.toEqual({
      valid: false,
      needsRehash: false,
    });
  });
});
