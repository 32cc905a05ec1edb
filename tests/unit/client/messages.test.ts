import { describe, expect, test } from 'vitest';
import { formatWait } from '@/client';

describe('formatWait()', () => {
  test.each([
    [899, '15 minutes'],
    [900, '15 minutes'],
    [61, '2 minutes'],
    [60, '1 minute'],
    [59, '59 seconds'],
    [42, '42 seconds'],
    [1, '1 second'],
    [0.4, '1 second'],
    [3600, '1 hour'],
    [5400, '1 hour 30 minutes'],
    [7260, '2 hours 1 minute'],
    [86_400, '24 hours'],
  ])('%s seconds reads "%s"', (seconds, words) => {
    expect(formatWait(seconds)).toBe(words);
  });

  test.each([undefined, 0, -5, Number.NaN, Number.POSITIVE_INFINITY])(
    'no usable wait (%s) reads "a moment"',
    (seconds) => {
      expect(formatWait(seconds)).toBe('a moment');
    },
  );

  test('minutes round up, so nobody is told to come back too early', () => {
    for (let seconds = 61; seconds <= 3540; seconds += 7) {
      const minutes = Number(/^(\d+) minutes?$/.exec(formatWait(seconds))![1]);
      expect(minutes * 60).toBeGreaterThanOrEqual(seconds);
      expect(minutes * 60 - seconds).toBeLessThan(60);
    }
  });
});
