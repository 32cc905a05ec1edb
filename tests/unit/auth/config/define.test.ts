import { describe, expect, it } from 'vitest';
import { REGISTERED_CLAIMS, defineAuthConfig } from '@/auth/config/define';
import type { AuthOptions } from '@/auth/config/types';
import { expectConfigError } from './helpers';

/** Lets a test pass values the types forbid, as a JavaScript config file could. */
function untyped(options: Record<string, unknown>): AuthOptions {
  return options as AuthOptions;
}

describe('defineAuthConfig', () => {
  it('accepts no options at all', () => {
    expect(defineAuthConfig()).toEqual({});
  });

  it('returns a frozen object', () => {
    expect(Object.isFrozen(defineAuthConfig({ cookieSalt: 'pepper' }))).toBe(true);
  });

  it('keeps the given options', () => {
    expect(defineAuthConfig({ cookieSalt: 'pepper', rotateRefreshTokens: false })).toEqual({
      cookieSalt: 'pepper',
      rotateRefreshTokens: false,
    });
  });

  it('accepts custom claims with sync and async getters', () => {
    const options = defineAuthConfig({
      customTokenClaims: [
        { attrName: 'tenant', attrGetter: () => 'acme' },
        { attrName: 'roles', attrGetter: async () => ['admin'] },
      ],
    });
    expect(options.customTokenClaims?.map((claim) => claim.attrName)).toEqual(['tenant', 'roles']);
  });

  it('counts the session claims sid, auth_time and amr as registered (docs/contract.md section 5)', async () => {
    expect(REGISTERED_CLAIMS).toEqual(expect.arrayContaining(['sid', 'auth_time', 'amr']));
    for (const name of ['auth_time', 'amr'])
      await expectConfigError(
        () => defineAuthConfig({ customTokenClaims: [{ attrName: name, attrGetter: () => 1 }] }),
        `"${name}"`,
      );
  });

  it.each(REGISTERED_CLAIMS)('refuses a custom claim named %s, naming it', async (name) => {
    await expectConfigError(
      () => defineAuthConfig({ customTokenClaims: [{ attrName: name, attrGetter: () => 1 }] }),
      `"${name}"`,
    );
  });

  it('refuses a user attribute that is not one (password), naming the setting', async () => {
    await expectConfigError(
      () => defineAuthConfig(untyped({ customTokenUserAttributes: ['password'] })),
      'customTokenUserAttributes',
      'password',
    );
  });

  it('refuses an unknown user attribute', async () => {
    await expectConfigError(
      () => defineAuthConfig(untyped({ customTokenUserAttributes: ['shoe_size'] })),
      'customTokenUserAttributes',
    );
  });

  it('accepts the Django spellings of user attributes', () => {
    const attributes = [
      'is_staff',
      'is_superuser',
      'is_active',
      'first_name',
      'last_name',
      'date_joined',
      'last_login',
    ] as const;
    expect(
      defineAuthConfig({ customTokenUserAttributes: [...attributes] }).customTokenUserAttributes,
    ).toEqual(attributes);
  });

  it('accepts the camelCase spellings of user attributes', () => {
    expect(
      defineAuthConfig({ customTokenUserAttributes: ['isStaff', 'email'] })
        .customTokenUserAttributes,
    ).toEqual(['isStaff', 'email']);
  });

  it('refuses an unknown setting, naming it', async () => {
    await expectConfigError(
      () => defineAuthConfig(untyped({ refreshCookieNmae: 'rt' })),
      'refreshCookieNmae',
    );
  });

  it('refuses a cookie name with a space, naming the setting', async () => {
    await expectConfigError(
      () => defineAuthConfig({ refreshCookieName: 'refresh cookie' }),
      'refreshCookieName',
    );
  });

  it('refuses a refresh cookie path without a leading slash, naming the setting', async () => {
    await expectConfigError(
      () => defineAuthConfig({ refreshCookiePath: 'auth' }),
      'refreshCookiePath',
    );
  });

  it.each([
    ['5m', 300],
    ['1d', 86_400],
    ['30s', 30],
    ['12h', 43_200],
    [600, 600],
  ] as const)('accepts the duration %j and returns it as %i seconds', (value, seconds) => {
    expect(defineAuthConfig({ accessTokenLifetime: value }).accessTokenLifetime).toBe(seconds);
  });

  it.each([
    ['a negative number', -5],
    ['zero', 0],
    ['a negative string', '-5m'],
    ['words', 'five minutes'],
    ['an unknown unit', '5w'],
    ['infinity', Number.POSITIVE_INFINITY],
  ])('refuses %s as accessTokenLifetime, naming it', async (_name, value) => {
    await expectConfigError(
      () => defineAuthConfig(untyped({ accessTokenLifetime: value })),
      'accessTokenLifetime',
    );
  });

  it('refuses a reuseGraceWindow over 60 seconds, naming it', async () => {
    await expectConfigError(() => defineAuthConfig({ reuseGraceWindow: 61 }), 'reuseGraceWindow');
  });

  it('refuses a reuseGraceWindow of "2m", naming it', async () => {
    await expectConfigError(() => defineAuthConfig({ reuseGraceWindow: '2m' }), 'reuseGraceWindow');
  });

  it('accepts a reuseGraceWindow of exactly 60 seconds', () => {
    expect(defineAuthConfig({ reuseGraceWindow: '60s' }).reuseGraceWindow).toBe(60);
  });

  it('accepts a reuseGraceWindow of 0 (no grace)', () => {
    expect(defineAuthConfig({ reuseGraceWindow: 0 }).reuseGraceWindow).toBe(0);
  });

  it('refuses a leeway over 5 minutes, naming it', async () => {
    await expectConfigError(() => defineAuthConfig({ leeway: '6m' }), 'leeway');
  });

  it('refuses an unsupported algorithm, naming the setting', async () => {
    await expectConfigError(() => defineAuthConfig(untyped({ algorithm: 'none' })), 'algorithm');
  });

  it('refuses a throttle rule with a zero limit, naming the setting', async () => {
    await expectConfigError(
      () =>
        defineAuthConfig({
          throttle: {
            username: { limit: 0, windowSeconds: 900 },
            address: { limit: 30, windowSeconds: 900 },
          },
        }),
      'throttle',
    );
  });

  it('refuses a trusted origin that is not a URL, naming the setting', async () => {
    await expectConfigError(
      () => defineAuthConfig({ trustedOrigins: ['app.example.com'] }),
      'trustedOrigins',
    );
  });

  it('names every bad setting at once', async () => {
    await expectConfigError(
      () => defineAuthConfig(untyped({ accessTokenLifetime: -1, refreshCookiePath: 'auth' })),
      'accessTokenLifetime',
      'refreshCookiePath',
    );
  });
});
