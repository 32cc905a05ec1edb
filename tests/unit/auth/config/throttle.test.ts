import { describe, expect, it } from 'vitest';
import { DEFAULT_THROTTLE, parseThrottle } from '@/auth/config/throttle';

describe('parseThrottle', () => {
  it('has the contract defaults: 5 per username, 30 per address and 100 failures in all in 900 s, 5 mails per address in 3600 s', () => {
    expect(DEFAULT_THROTTLE).toEqual({
      username: { limit: 5, windowSeconds: 900 },
      address: { limit: 30, windowSeconds: 900 },
      global: { limit: 100, windowSeconds: 900 },
      mail: { limit: 5, windowSeconds: 3600 },
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
      mail: DEFAULT_THROTTLE.mail,
    });
  });

  it('reads the rules in either order with spaces around them', () => {
    expect(parseThrottle(' address=10/60 , username=2/30 ')).toEqual({
      username: { limit: 2, windowSeconds: 30 },
      address: { limit: 10, windowSeconds: 60 },
      global: DEFAULT_THROTTLE.global,
      mail: DEFAULT_THROTTLE.mail,
    });
  });

  it('keeps the default of a rule it does not name', () => {
    expect(parseThrottle('address=100/60')).toEqual({
      username: DEFAULT_THROTTLE.username,
      address: { limit: 100, windowSeconds: 60 },
      global: DEFAULT_THROTTLE.global,
      mail: DEFAULT_THROTTLE.mail,
    });
  });

  it('reads a mail rule, keeping the other defaults', () => {
    expect(parseThrottle('mail=2/600')).toEqual({
      ...DEFAULT_THROTTLE,
      mail: { limit: 2, windowSeconds: 600 },
    });
  });

  it('reads all four rules', () => {
    expect(parseThrottle('username=1/2,address=3/4,global=5/6,mail=7/8')).toEqual({
      username: { limit: 1, windowSeconds: 2 },
      address: { limit: 3, windowSeconds: 4 },
      global: { limit: 5, windowSeconds: 6 },
      mail: { limit: 7, windowSeconds: 8 },
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
    'mail=5',
    'mail=0/3600',
    'mails=5/3600',
  ])('throws for %j, naming AUTH_THROTTLE', (value) => {
    expect(() => parseThrottle(value)).toThrow(/AUTH_THROTTLE/);
  });
});
