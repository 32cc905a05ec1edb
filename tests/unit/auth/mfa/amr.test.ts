import { describe, expect, it } from 'vitest';
import { AMR, isMultiFactor, reauthenticatedAmr, withSecondFactor } from '@/auth/mfa/amr';

describe('amr (RFC 8176) of the kit', () => {
  it('adds otp and mfa for a TOTP code, mfa alone for a recovery code', () => {
    expect(withSecondFactor(AMR.password, 'totp')).toEqual(['pwd', 'otp', 'mfa']);
    expect(withSecondFactor(AMR.password, 'recovery_code')).toEqual(['pwd', 'mfa']);
    expect(withSecondFactor(AMR.federated, 'totp')).toEqual(['fed', 'otp', 'mfa']);
  });

  it.each([
    [['pwd'], false],
    [['fed'], false],
    [['hwk'], false],
    [['user'], false],
    [['pwd', 'otp', 'mfa'], true],
    [['pwd', 'mfa'], true],
    [['hwk', 'user'], true],
  ])('counts %j as multi-factor: %s', (amr, expected) => {
    expect(isMultiFactor(amr)).toBe(expected);
  });

  it.each([
    [['pwd'], ['pwd'], ['pwd']],
    [['pwd'], ['otp'], ['pwd', 'otp', 'mfa']],
    [['pwd'], ['hwk', 'user'], ['pwd', 'hwk', 'user', 'mfa']],
    [['fed'], ['otp'], ['fed', 'otp', 'mfa']],
    [['pwd', 'otp', 'mfa'], ['pwd'], ['pwd', 'otp', 'mfa']],
    [['pwd', 'mfa'], ['pwd'], ['pwd', 'mfa']],
    [['hwk', 'user'], ['pwd'], ['hwk', 'user', 'pwd', 'mfa']],
    [
      ['hwk', 'user'],
      ['hwk', 'user'],
      ['hwk', 'user'],
    ],
  ])('re-authenticates %j with %j as %j: never weaker', (session, method, expected) => {
    expect(reauthenticatedAmr(session, method)).toEqual(expected);
  });
});
