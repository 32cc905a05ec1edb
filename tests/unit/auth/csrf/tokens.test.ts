import { describe, expect, it } from 'vitest';
import { csrfTokensMatch } from '@/auth/csrf/tokens';

const TOKEN = 'Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFy';

describe('csrfTokensMatch', () => {
  it('is true when the submitted token equals the cookie token', () => {
    expect(csrfTokensMatch(TOKEN, TOKEN)).toBe(true);
  });

  it('is false when the tokens differ', () => {
    expect(csrfTokensMatch(TOKEN, `${TOKEN.slice(0, -1)}X`)).toBe(false);
  });

  it('is false when the submitted token is a prefix of the cookie token', () => {
    expect(csrfTokensMatch(TOKEN.slice(0, 10), TOKEN)).toBe(false);
  });

  it('is case-sensitive', () => {
    expect(csrfTokensMatch(TOKEN.toLowerCase(), TOKEN)).toBe(false);
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['the empty string', ''],
  ])('is false when the submitted token is %s', (_name, submitted) => {
    expect(csrfTokensMatch(submitted, TOKEN)).toBe(false);
  });

  it('is false when the cookie token is absent', () => {
    expect(csrfTokensMatch(TOKEN, null)).toBe(false);
  });

  it('is false when both are empty', () => {
    expect(csrfTokensMatch('', '')).toBe(false);
  });

  it('is false for an overlong submitted token, even when it equals the cookie token', () => {
    const overlong = 'a'.repeat(513);
    expect(csrfTokensMatch(overlong, overlong)).toBe(false);
  });

  it('accepts a token of exactly 512 characters', () => {
    const longest = 'a'.repeat(512);
    expect(csrfTokensMatch(longest, longest)).toBe(true);
  });
});
