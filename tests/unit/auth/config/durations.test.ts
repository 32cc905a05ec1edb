import { describe, expect, it } from 'vitest';
import { parseDurationSeconds } from '@/auth/config/durations';

describe('parseDurationSeconds', () => {
  it.each([
    [300, 300],
    ['300', 300],
    ['30s', 30],
    ['5m', 300],
    ['12h', 43_200],
    ['1d', 86_400],
    [' 5m ', 300],
    ['1.5m', 90],
    [0, 0],
  ] as const)('reads %j as %i seconds', (value, seconds) => {
    expect(parseDurationSeconds(value)).toBe(seconds);
  });

  it.each([
    ['a word', 'soon'],
    ['an unknown unit', '2w'],
    ['a negative string', '-5m'],
    ['an empty string', ''],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['null', null],
    ['an object', { minutes: 5 }],
  ])('returns null for %s', (_name, value) => {
    expect(parseDurationSeconds(value)).toBeNull();
  });
});
