import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { estimateEntropyBits, secretWeakness } from '@/auth/config/strength';

describe('estimateEntropyBits', () => {
  it.each([
    ['one character repeated', 'a'.repeat(48)],
    ['two characters alternating', 'ab'.repeat(24)],
    ['a placeholder word repeated', 'changeme-changeme-changeme-changeme-changeme'],
    ['a repeated block of random-looking text', 'Xq7!pL2z'.repeat(6)],
    ['the alphabet and the digits in order', 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH'],
    ['digits counting up, repeated', '0123456789'.repeat(4)],
    ['placeholder words joined', 'my-super-secret-key-please-change-it-now!'],
  ])('rates %s below 128 bits', (_, secret) => {
    expect(estimateEntropyBits(secret)).toBeLessThan(128);
  });

  it.each([
    ['generate-keys (32 random bytes, base64url)', () => randomBytes(32).toString('base64url')],
    ['openssl rand -base64 48', () => randomBytes(48).toString('base64')],
    ['openssl rand -base64 24 (32 characters)', () => randomBytes(24).toString('base64')],
    ['openssl rand -hex 32', () => randomBytes(32).toString('hex')],
  ])('rates %s at 128 bits or more, every time in 2000 draws', (_, draw) => {
    let lowest = Infinity;
    for (let i = 0; i < 2000; i++) lowest = Math.min(lowest, estimateEntropyBits(draw()));
    expect(lowest).toBeGreaterThanOrEqual(128);
  });

  it('judges a very long secret quickly (only its start is searched for repeats)', () => {
    const started = performance.now();
    estimateEntropyBits(randomBytes(8192).toString('base64'));
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('secretWeakness', () => {
  it('names the length when the secret is under 32 characters', () => {
    expect(secretWeakness(randomBytes(12).toString('base64'))).toMatch(/16 characters.*32/);
  });

  it('names the estimate when the secret is long but guessable', () => {
    expect(secretWeakness('a'.repeat(40))).toMatch(/about 0 bits.*128/);
  });

  it('is null for a strong secret', () => {
    expect(secretWeakness(randomBytes(32).toString('base64url'))).toBeNull();
  });
});
