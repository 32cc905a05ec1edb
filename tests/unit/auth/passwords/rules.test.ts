import { describe, expect, it } from 'vitest';
import type { PasswordRules } from '@/auth/config/types';
import { commonPasswordCount, passwordProblems, quickRatio } from '@/auth/passwords/rules';

const DJANGO: PasswordRules = {
  minLength: 8,
  maxLength: 4096,
  maxSimilarity: 0.7,
  commonPasswords: true,
  numeric: true,
};

// The user of Django's tests/auth_tests/test_validators.py (UserAttributeSimilarityValidatorTest).
const testclient = {
  username: 'testclient',
  firstName: 'Test',
  lastName: 'Client',
  email: 'testclient@example.com',
};

describe('the password rules (Django validators)', () => {
  it('accepts a long, uncommon password unlike the account', () => {
    expect(passwordProblems('correct-horse-battery', testclient, DJANGO)).toEqual([]);
  });

  it('refuses a short one, counting characters rather than UTF-16 units', () => {
    expect(passwordProblems('Zq9#kT2', {}, DJANGO)).toEqual([
      'This password is too short. It must contain at least 8 characters.',
    ]);
    // Seven emoji are fourteen UTF-16 units but seven characters.
    expect(passwordProblems('🐙🦑🐚🦀🦞🐠🐡', {}, DJANGO)).toContain(
      'This password is too short. It must contain at least 8 characters.',
    );
    expect(passwordProblems('Zq9#kT2!', {}, DJANGO)).toEqual([]);
  });

  it('refuses one over the upper bound, with that message only', () => {
    expect(passwordProblems('x'.repeat(4097), {}, DJANGO)).toEqual([
      'This password is too long. It may contain at most 4096 characters.',
    ]);
    expect(passwordProblems('x'.repeat(20), {}, { ...DJANGO, maxLength: 16 })).toEqual([
      'This password is too long. It may contain at most 16 characters.',
    ]);
  });

  it("refuses one too similar to the username or the e-mail address, as Django's tests do", () => {
    expect(passwordProblems('testclient', testclient, DJANGO)).toContain(
      'This password is too similar to your username.',
    );
    expect(passwordProblems('example.com', testclient, DJANGO)).toContain(
      'This password is too similar to your e-mail address.',
    );
    // "Test" against "testclient": a quick ratio of 0.57, under 0.7, over 0.3.
    expect(passwordProblems('testclient', { firstName: 'Test' }, DJANGO)).toEqual([]);
    expect(
      passwordProblems('testclient', { firstName: 'Test' }, { ...DJANGO, maxSimilarity: 0.3 }),
    ).toContain('This password is too similar to your first name.');
    expect(passwordProblems('Lovelace-1815', { lastName: 'Lovelace' }, DJANGO)).toContain(
      'This password is too similar to your last name.',
    );
  });

  it('skips the similarity check for a password ten times longer than the attribute', () => {
    // Django's exceeds_maximum_length_ratio: "ab" cannot make a 40-character password similar.
    expect(passwordProblems(`ab${'q7#Lm2'.repeat(7)}`, { username: 'ab' }, DJANGO)).toEqual([]);
  });

  it('computes Python difflib quick_ratio', () => {
    expect(quickRatio('testclient', 'test')).toBeCloseTo(8 / 14);
    expect(quickRatio('abc', 'cba')).toBe(1);
    expect(quickRatio('abc', 'xyz')).toBe(0);
    expect(quickRatio('', '')).toBe(1);
  });

  it('refuses a common password, whatever its case, from a list of at least 10,000', () => {
    expect(commonPasswordCount()).toBeGreaterThanOrEqual(10_000);
    expect(passwordProblems('godzilla', {}, DJANGO)).toEqual(['This password is too common.']);
    expect(passwordProblems('PassWord123', {}, DJANGO)).toEqual(['This password is too common.']);
    expect(passwordProblems('godzilla', {}, { ...DJANGO, commonPasswords: false })).toEqual([]);
  });

  it('refuses an entirely numeric password', () => {
    expect(passwordProblems('90210564738', {}, DJANGO)).toEqual([
      'This password is entirely numeric.',
    ]);
    expect(passwordProblems('90210564738', {}, { ...DJANGO, numeric: false })).toEqual([]);
    expect(passwordProblems('90210564738x', {}, DJANGO)).toEqual([]);
  });

  it('says every rule a password breaks', () => {
    expect(passwordProblems('123456', {}, DJANGO)).toEqual([
      'This password is too short. It must contain at least 8 characters.',
      'This password is too common.',
      'This password is entirely numeric.',
    ]);
  });
});
