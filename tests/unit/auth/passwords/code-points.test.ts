import { describe, expect, it } from 'vitest';
import type { PasswordRules } from '@/auth/config/types';
import { signInBody, signUpBody } from '@/auth/handlers/schemas';
import { confirmWithPasswordBody } from '@/auth/handlers/mfa-schemas';
import { hashPassword, verifyPassword } from '@/auth/passwords';
import { passwordProblems } from '@/auth/passwords/rules';

// docs/contract.md section 8: "at most 4096" characters. A character is a code point (as Django
// counts, and as the minimum already does), not a UTF-16 unit; a string that is not well-formed
// Unicode (a lone surrogate) is no password at all: it is refused with a clear 400 message, never
// hashed (an encoder would turn it into U+FFFD, so two different "passwords" would be one).

const RULES: PasswordRules = {
  minLength: 8,
  maxLength: 4096,
  maxSimilarity: 0.7,
  commonPasswords: true,
  numeric: true,
};

const astral = (n: number) => '🐙'.repeat(n); // 2 UTF-16 units each
const LONE = ['\ud800', '\udfff', 'abcdefgh\ud83d', '\ude00abcdefgh', 'pass\udc00word-long'];

describe('password length in code points, and well-formed text only', () => {
  it('accepts 4096 astral characters (8192 UTF-16 units) and refuses 4097, in the rules', () => {
    expect(passwordProblems(`${astral(4095)}x`, {}, RULES)).toEqual([]);
    expect(passwordProblems(astral(4096), {}, RULES)).toEqual([]);
    expect(passwordProblems(astral(4097), {}, RULES)).toEqual([
      'This password is too long. It may contain at most 4096 characters.',
    ]);
  });

  it('refuses a password with a lone surrogate in the rules, with that message only', () => {
    for (const password of LONE)
      expect(passwordProblems(password, {}, RULES), JSON.stringify(password)).toEqual([
        'This password contains a character that is not valid text (an unpaired surrogate). Use letters, digits, symbols or emoji.',
      ]);
  });

  it('hashes and verifies 4096 astral characters; refuses 4097 and lone surrogates', async () => {
    const longest = astral(4096);
    const encoded = await hashPassword(longest);
    expect(await verifyPassword(longest, encoded)).toEqual({ valid: true, needsRehash: false });
    await expect(hashPassword(astral(4097))).rejects.toThrow(TypeError);
    await expect(hashPassword('abcdefgh\ud800')).rejects.toThrow(TypeError);
    // Two strings an encoder would both turn into "abcdefgh\ufffd": neither verifies the other.
    const replacement = await hashPassword('abcdefgh\ufffd');
    expect((await verifyPassword('abcdefgh\ud800', replacement)).valid).toBe(false);
    expect((await verifyPassword('abcdefgh\udfff', replacement)).valid).toBe(false);
    expect((await verifyPassword(astral(4097), replacement)).valid).toBe(false);
  });

  it('lets the request schemas pass 4096 astral characters and refuse 4097 or a lone surrogate with a message', () => {
    for (const schema of [signInBody, confirmWithPasswordBody]) {
      const body = (password: string) =>
        schema.safeParse(schema === signInBody ? { username: 'ana', password } : { password });
      expect(body(astral(4096)).success).toBe(true);
      const long = body(astral(4097));
      expect(long.success).toBe(false);
      expect(long.error?.issues.map((i) => i.message)).toEqual(['password is too long']);
      const lone = body('abcdefgh\ud800');
      expect(lone.success).toBe(false);
      expect(lone.error?.issues.map((i) => i.message)).toEqual([
        'password is not well-formed text (it has an unpaired surrogate)',
      ]);
    }
    // Sign-up leaves the words to the password rules (errors.password), which say the same.
    expect(
      signUpBody.safeParse({ username: 'ana', email: 'ana@example.com', password: astral(4096) })
        .success,
    ).toBe(true);
  });
});
