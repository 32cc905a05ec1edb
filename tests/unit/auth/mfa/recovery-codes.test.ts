import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  RECOVERY_CODE_COUNT,
  formatRecoveryCode,
  generateRecoveryCodes,
  hashRecoveryCode,
  matchRecoveryCode,
  normaliseRecoveryCode,
} from '@/auth/mfa/recovery-codes';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const FORMAT = /^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/;

describe('generateRecoveryCodes', () => {
  it('makes ten different codes in the xxxx-xxxx-xxxx format', () => {
    const codes = generateRecoveryCodes();
    expect(RECOVERY_CODE_COUNT).toBe(10);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(FORMAT);
  });

  it('carries at least 50 bits per code (12 characters of a 32-character alphabet)', () => {
    expect(ALPHABET).toHaveLength(32);
    const [code] = generateRecoveryCodes(1);
    expect(code!.replaceAll('-', '').length * Math.log2(ALPHABET.length)).toBeGreaterThanOrEqual(
      50,
    );
  });

  it('never uses an ambiguous character (i, l, o, u)', () => {
    const all = generateRecoveryCodes(500).join('');
    expect(all).not.toMatch(/[ilouA-Z]/);
  });

  it('uses every character about equally often (no modulo bias)', () => {
    const counts = new Map<string, number>();
    for (const char of generateRecoveryCodes(2000).join('').replaceAll('-', ''))
      counts.set(char, (counts.get(char) ?? 0) + 1);
    expect([...counts.keys()].sort().join('')).toBe(ALPHABET);
    // 24 000 characters: 750 expected each, standard deviation ~27; 5 deviations either side.
    for (const count of counts.values()) {
      expect(count).toBeGreaterThan(615);
      expect(count).toBeLessThan(885);
    }
  });

  it('makes a different set each time', () => {
    const first = generateRecoveryCodes();
    const second = generateRecoveryCodes();
    expect(first.filter((code) => second.includes(code))).toEqual([]);
  });
});

describe('formatRecoveryCode', () => {
  it('groups by four', () => {
    expect(formatRecoveryCode('abcd1234wxyz')).toBe('abcd-1234-wxyz');
  });
});

describe('normaliseRecoveryCode', () => {
  it('reads the code however it was typed', () => {
    for (const input of [
      'abcd-1234-wxyz',
      'ABCD-1234-WXYZ',
      'abcd1234wxyz',
      ' abcd 1234 wxyz ',
      'abcd – 1234 — wxyz',
      'ＡＢＣＤ－１２３４－ＷＸＹＺ',
    ])
      expect(normaliseRecoveryCode(input)).toBe('abcd1234wxyz');
  });

  it('reads o as 0 and i, l as 1 (Crockford)', () => {
    expect(normaliseRecoveryCode('0000-1111-abcd')).toBe('00001111abcd');
    expect(normaliseRecoveryCode('oOoO-iIlL-abcd')).toBe('00001111abcd');
  });

  it('refuses anything that cannot be a code', () => {
    for (const input of [
      '',
      'abcd-1234',
      'abcd-1234-wxyz-0',
      'abcd-1234-wxyu',
      'abcd_1234_wxyz',
      'a'.repeat(65),
    ])
      expect(normaliseRecoveryCode(input)).toBeNull();
    for (const input of [null, undefined, 123, ['abcd-1234-wxyz']])
      expect(normaliseRecoveryCode(input)).toBeNull();
  });

  it('reads back every generated code', () => {
    for (const code of generateRecoveryCodes())
      expect(normaliseRecoveryCode(code)).toBe(code.replaceAll('-', ''));
  });
});

describe('hashRecoveryCode', () => {
  it('is SHA-256 (hex) of a labelled user id and the canonical code', () => {
    const expected = createHash('sha256')
      .update('auth-kit:recovery-code:v1:42:abcd1234wxyz')
      .digest('hex');
    expect(hashRecoveryCode(42, 'abcd-1234-wxyz')).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is the same for every spelling of one code', () => {
    const hash = hashRecoveryCode(42, 'abcd-1234-wxyz');
    expect(hashRecoveryCode(42, 'ABCD 1234 WXYZ')).toBe(hash);
    expect(hashRecoveryCode(42, 'abcd1234wxyz')).toBe(hash);
  });

  it('differs between users and between codes', () => {
    expect(hashRecoveryCode(42, 'abcd-1234-wxyz')).not.toBe(hashRecoveryCode(43, 'abcd-1234-wxyz'));
    expect(hashRecoveryCode(42, 'abcd-1234-wxyz')).not.toBe(hashRecoveryCode(42, 'abcd-1234-wxy0'));
  });

  it('is null for input that is not a code', () => {
    expect(hashRecoveryCode(42, 'not a code')).toBeNull();
    expect(hashRecoveryCode(42, null)).toBeNull();
  });
});

describe('matchRecoveryCode', () => {
  const codes = generateRecoveryCodes();
  const hashes = codes.map((code) => hashRecoveryCode(7, code)!);

  it('finds the index of the matching stored hash', () => {
    codes.forEach((code, index) => expect(matchRecoveryCode(code, 7, hashes)).toBe(index));
    expect(matchRecoveryCode(codes[3]!.toUpperCase().replaceAll('-', ' '), 7, hashes)).toBe(3);
  });

  it('answers -1 for another user, a code not stored (used), or input that is not a code', () => {
    expect(matchRecoveryCode(codes[0], 8, hashes)).toBe(-1);
    expect(matchRecoveryCode(codes[0], 7, hashes.slice(1))).toBe(-1);
    expect(matchRecoveryCode(generateRecoveryCodes(1)[0], 7, hashes)).toBe(-1);
    expect(matchRecoveryCode('', 7, hashes)).toBe(-1);
    expect(matchRecoveryCode(undefined, 7, hashes)).toBe(-1);
    expect(matchRecoveryCode(codes[0], 7, [])).toBe(-1);
  });

  it('skips stored values that are not hashes instead of throwing', () => {
    expect(matchRecoveryCode(codes[0], 7, ['', 'zz', hashes[0]!.slice(2), hashes[0]!])).toBe(3);
  });
});
