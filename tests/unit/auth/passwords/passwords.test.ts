import { hash } from '@node-rs/argon2';
import { describe, expect, it } from 'vitest';
import {
  ARGON2_PARAMETERS,
  hashPassword,
  isUsablePassword,
  makeUnusablePassword,
  verifyPassword,
} from '@/auth/passwords';

const VALID = { valid: true, needsRehash: false };
const INVALID = { valid: false, needsRehash: false };

describe('hashPassword', () => {
  it('uses the OWASP Argon2id parameters', () => {
    expect(ARGON2_PARAMETERS).toEqual({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
  });

  it("writes Django's argon2 format at the current parameters", async () => {
    const encoded = await hashPassword('lètmein');
    expect(encoded).toMatch(
      /^argon2\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/,
    );
  });

  it('salts every hash differently', async () => {
    expect(await hashPassword('lètmein')).not.toBe(await hashPassword('lètmein'));
  });

  it('throws a TypeError for a password longer than 4096 characters', async () => {
    await expect(hashPassword('a'.repeat(4097))).rejects.toBeInstanceOf(TypeError);
  });

  it('accepts a password of exactly 4096 characters', async () => {
    const password = 'a'.repeat(4096);
    await expect(verifyPassword(password, await hashPassword(password))).resolves.toEqual(VALID);
  });
});

describe('verifyPassword', () => {
  it('verifies a password against its own hash without asking for a rehash', async () => {
    await expect(verifyPassword('lètmein', await hashPassword('lètmein'))).resolves.toEqual(VALID);
  });

  it('rejects a wrong password', async () => {
    await expect(verifyPassword('lètmeinz', await hashPassword('lètmein'))).resolves.toEqual(
      INVALID,
    );
  });

  it('verifies a blank password', async () => {
    await expect(verifyPassword('', await hashPassword(''))).resolves.toEqual(VALID);
  });

  it("rejects a single space against a blank password's hash", async () => {
    await expect(verifyPassword(' ', await hashPassword(''))).resolves.toEqual(INVALID);
  });

  it('asks for a rehash of argon2id with another time cost', async () => {
    const phc = await hash('lètmein', { ...ARGON2_PARAMETERS, timeCost: 3 });
    await expect(verifyPassword('lètmein', `argon2${phc}`)).resolves.toEqual({
      valid: true,
      needsRehash: true,
    });
  });

  it('asks for a rehash of argon2id with the 16-byte digest argon2-cffi writes', async () => {
    const phc = await hash('lètmein', { ...ARGON2_PARAMETERS, outputLen: 16 });
    await expect(verifyPassword('lètmein', `argon2${phc}`)).resolves.toEqual({
      valid: true,
      needsRehash: true,
    });
  });

  it('rejects a password longer than 4096 characters', async () => {
    const encoded = await hashPassword('a'.repeat(4096));
    await expect(verifyPassword('a'.repeat(4097), encoded)).resolves.toEqual(INVALID);
  });

  it('rejects a null stored hash', async () => {
    await expect(verifyPassword('lètmein', null)).resolves.toEqual(INVALID);
  });

  it('rejects an undefined stored hash', async () => {
    await expect(verifyPassword('lètmein', undefined)).resolves.toEqual(INVALID);
  });
});

describe('unusable passwords', () => {
  it('makes "!" followed by 40 URL-safe random characters', () => {
    expect(makeUnusablePassword()).toMatch(/^![A-Za-z0-9_-]{40}$/);
  });

  it('makes a different marker every time', () => {
    expect(makeUnusablePassword()).not.toBe(makeUnusablePassword());
  });

  it('never verifies an unusable marker, not even against itself or "!"', async () => {
    const encoded = makeUnusablePassword();
    for (const password of [encoded, '!', '', 'lètmein']) {
      await expect(verifyPassword(password, encoded)).resolves.toEqual(INVALID);
    }
  });

  it('never verifies a real hash hidden behind the "!" prefix', async () => {
    const encoded = `!${await hashPassword('lètmein')}`;
    await expect(verifyPassword('lètmein', encoded)).resolves.toEqual(INVALID);
  });

  it.each([
    { encoded: null, usable: false },
    { encoded: undefined, usable: false },
    { encoded: '', usable: false },
    { encoded: '!', usable: false },
    { encoded: '!abc', usable: false },
    {
      encoded: 'pbkdf2_sha256$390000$seasalt$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=',
      usable: true,
    },
    // Django's test_is_password_usable: a garbled value is still "usable", it just never verifies.
    { encoded: 'lètmein_badencoded', usable: true },
  ])('reports $encoded as usable: $usable', ({ encoded, usable }) => {
    expect(isUsablePassword(encoded)).toBe(usable);
  });
});
