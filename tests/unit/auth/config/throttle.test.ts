import { describe, expect, it } from 'vitest';
import { DEFAULT_THROTTLE, parseThrottle } from '@/auth/config/throttle';

describe('parseThrottle', () => {
  it('has the contract defaults: 5 per username, 30 per address and 100 failures in all in 900 s', () => {
    expect(DEFAULT_THROTTLE).toEqual({
      username: { limit: 5, windowSeconds: 900 },
      address: { limit: 30, windowSeconds: 900 },
      global: { limit: 100, windowSeconds: 900 },
    });
  });

  it('reads "username=5/900,address=30/900"', () => {
    expect(parseThrottle('username=5/900,address=30/900')).toEqual(DEFAULT_THROTTLE);
  });

  it('reads "username=5/900,address=30/900,global=100/900"', () => {
    expect(parseThrottle('username=5/900,address=30/900,global=100/900')).toEqual(DEFAULT_THROTTLE);
  });

  it('reads a global rule on its own, keeping the other defaults', () => {
    expect(parseThrottle('global=10/60')).toEqual({
      username: DEFAULT_THROTTLE.username,
      address: DEFAULT_THROTTLE.address,
      global: { limit: 10, windowSeconds: 60 },
    });
  });

  it('reads the rules in either order with spaces around them', () => {
    expect(parseThrottle(' address=10/60 , username=2/30 ')).toEqual({
      username: { limit: 2, windowSeconds: 30 },
      address: { limit: 10, windowSeconds: 60 },
      global: DEFAULT_THROTTLE.global,
    });
  });

  it('keeps the default of a rule it does not name', () => {
    expect(parseThrottle('address=100/60')).toEqual({
      username: DEFAULT_THROTTLE.username,
      address: { limit: 100, windowSeconds: 60 },
      global: DEFAULT_THROTTLE.global,
    });
  });

  it('does not change the defaults it starts from', () => {
    parseThrottle('username=1/1');
    expect(DEFAULT_THROTTLE.username).toEqual({ limit: 5, windowSeconds: 900 });
  });

  it.each(['off', ' off ', 'false', '0'])('turns throttling off with %j', (value) => {
    expect(parseThrottle(value)).toBe(false);
  });

  it.each([
    'on',
    'username=5',
    'username=5/900/1',
    'username=a/900',
    'ip=30/900',
    'username:5/900',
    'username=1.5/900',
    'global=0/900',
    'global=100',
  ])('throws for %j, naming AUTH_THROTTLE', (value) => {
    expect(() => parseThrottle(value)).toThrow(/AUTH_THROTTLE/);
  });
});
