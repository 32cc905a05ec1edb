import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthEnv } from '@/auth/config/env';
import { resolveAuthConfig } from '@/auth/config/resolve';
import type { AuthConfig, AuthOptions, PasswordRules } from '@/auth/config/types';
import { isSameSiteRequest } from '@/auth/csrf/origin';
import { privateJwk } from '../tokens/fixtures';
import { STRONG_SECRET, devEnv, expectConfigError, makeDataDir, productionEnv } from './helpers';

let dataDir: string;
let remove: () => void;
let keys: string;

beforeAll(async () => {
  ({ dataDir, remove } = makeDataDir());
  keys = JSON.stringify({ keys: [await privateJwk('ES256', 'es-1')] });
});

afterAll(() => remove());

const development = (env: Partial<AuthEnv> = {}, options: AuthOptions = {}) =>
  resolveAuthConfig(options, devEnv(dataDir, { secret: STRONG_SECRET, signingKeys: keys, ...env }));
const production = (env: Partial<AuthEnv> = {}, options: AuthOptions = {}) =>
  resolveAuthConfig(
    options,
    productionEnv(dataDir, { secret: STRONG_SECRET, signingKeys: keys, ...env }),
  );
/** Production with both mail-sending features off, so no mail settings are required. */
const quietProduction = (env: Partial<AuthEnv> = {}, options: AuthOptions = {}) =>
  production(
    { appUrl: undefined, smtpUrl: undefined, ...env },
    { signUp: false, passwordReset: false, ...options },
  );

describe('account and mail settings: defaults', () => {
  let config: AuthConfig;

  beforeAll(async () => {
    config = await development();
  });

  it.each([
    ['appUrl', 'http://localhost:3000'],
    ['signUp', true],
    ['passwordReset', true],
    ['requireEmailVerification', true],
    ['emailVerificationLifetimeSeconds', 24 * 3600],
    ['passwordResetLifetimeSeconds', 30 * 60],
    [
      'passwordRules',
      { minLength: 8, maxLength: 4096, maxSimilarity: 0.7, commonPasswords: true, numeric: true },
    ],
    ['mail', { smtpUrl: null, from: 'Auth kit <no-reply@localhost>', timeoutSeconds: 5 }],
    ['reauthMaxAgeSeconds', 300],
  ] as const)('sets %s to %j in development', (setting, expected) => {
    expect(config[setting]).toEqual(expected);
  });

  it('takes the development appUrl port from PORT', async () => {
    expect((await development({ port: '3001' })).appUrl).toBe('http://localhost:3001');
  });

  it('leaves appUrl null in production when it is not set', async () => {
    expect((await quietProduction()).appUrl).toBeNull();
  });

  it('sends production mail from no-reply@ the app host when MAIL_FROM is unset', async () => {
    expect((await production({ appUrl: 'https://shop.example.org' })).mail.from).toBe(
      'no-reply@shop.example.org',
    );
  });

  it('freezes the nested password rules and mail settings', async () => {
    expect([Object.isFrozen(config.passwordRules), Object.isFrozen(config.mail)]).toEqual([
      true,
      true,
    ]);
  });
});

describe('account and mail settings from the environment', () => {
  it.each([
    ['signUp', 'AUTH_SIGN_UP'],
    ['passwordReset', 'AUTH_PASSWORD_RESET'],
    ['requireEmailVerification', 'AUTH_REQUIRE_EMAIL_VERIFICATION'],
  ] as const)('reads %s from %s=true|false', async (setting, _name) => {
    expect((await development({ [setting]: 'false' }))[setting]).toBe(false);
    expect((await development({ [setting]: 'true' }, { [setting]: false }))[setting]).toBe(true);
  });

  it.each([
    ['signUp', 'AUTH_SIGN_UP', 'yes'],
    ['passwordReset', 'AUTH_PASSWORD_RESET', '1'],
    ['requireEmailVerification', 'AUTH_REQUIRE_EMAIL_VERIFICATION', 'on'],
  ] as const)('refuses %s from %s=%s, naming the variable', async (setting, name, value) => {
    await expectConfigError(() => development({ [setting]: value }), name, `"${value}"`);
  });

  it.each([
    ['emailVerificationLifetime', 'emailVerificationLifetimeSeconds', '2d', 2 * 86_400],
    ['passwordResetLifetime', 'passwordResetLifetimeSeconds', '15m', 900],
    ['reauthMaxAge', 'reauthMaxAgeSeconds', '600', 600],
  ] as const)('reads %s from the environment', async (env, setting, value, seconds) => {
    expect((await development({ [env]: value }))[setting]).toBe(seconds);
  });

  it('reads MAIL_TIMEOUT', async () => {
    expect((await development({ mailTimeout: '10s' })).mail.timeoutSeconds).toBe(10);
  });

  it.each([
    ['emailVerificationLifetime', 'AUTH_EMAIL_VERIFICATION_LIFETIME', '5x'],
    ['passwordResetLifetime', 'AUTH_PASSWORD_RESET_LIFETIME', '0'],
    ['reauthMaxAge', 'AUTH_REAUTH_MAX_AGE', 'soon'],
    ['mailTimeout', 'MAIL_TIMEOUT', '10m'],
  ] as const)('refuses a bad %s, naming %s and the value', async (env, name, value) => {
    await expectConfigError(() => development({ [env]: value }), name, `"${value}"`);
  });

  it('lets the environment win over the code', async () => {
    const config = await development(
      {
        passwordResetLifetime: '10m',
        mailTimeout: '20s',
        reauthMaxAge: '1m',
        mailFrom: 'a@b.example',
      },
      {
        passwordResetLifetime: '1h',
        mail: { timeout: '2s', from: 'c@d.example' },
        reauthMaxAge: '9m',
      },
    );
    expect([
      config.passwordResetLifetimeSeconds,
      config.mail.timeoutSeconds,
      config.reauthMaxAgeSeconds,
      config.mail.from,
    ]).toEqual([600, 20, 60, 'a@b.example']);
  });

  it.each([
    'smtp://127.0.0.1:2525',
    'smtps://user:p%40ss@smtp.example.com:465',
    'smtp://user@mail.example.com',
  ])('reads SMTP_URL=%s', async (url) => {
    expect((await development({ smtpUrl: url })).mail.smtpUrl).toBe(url);
  });

  it.each(['http://smtp.example.com', 'mail.example.com:25', 'smtp://'])(
    'refuses SMTP_URL=%s, naming it',
    async (url) => {
      await expectConfigError(() => development({ smtpUrl: url }), 'SMTP_URL', 'smtps://');
    },
  );

  it('never repeats the SMTP_URL password in its error', async () => {
    let message = '';
    await development({ smtpUrl: 'https://user:hunter2-secret@smtp.example.com' }).catch(
      (error: Error) => (message = error.message),
    );
    expect(message).toContain('SMTP_URL');
    expect(message).not.toContain('hunter2-secret');
  });

  it.each(['no-reply@example.com', 'Example Shop <no-reply@example.com>'])(
    'reads MAIL_FROM=%s',
    async (from) => {
      expect((await development({ mailFrom: from })).mail.from).toBe(from);
    },
  );

  it.each(['no-reply', 'a b@example.com', 'Shop <no-reply@example.com>\r\nBcc: x@evil.example'])(
    'refuses MAIL_FROM=%j, naming it',
    async (from) => {
      await expectConfigError(() => development({ mailFrom: from }), 'MAIL_FROM');
    },
  );

  it.each(['https://app.example.com', 'http://localhost:4000', 'https://app.example.com:8443'])(
    'reads AUTH_APP_URL=%s in development',
    async (url) => {
      expect((await development({ appUrl: url })).appUrl).toBe(url);
    },
  );

  it.each([
    'https://app.example.com/',
    'https://app.example.com/app',
    'ftp://app.example.com',
    'app.example.com',
  ])('refuses AUTH_APP_URL=%s, naming it', async (url) => {
    await expectConfigError(() => development({ appUrl: url }), 'AUTH_APP_URL', url);
  });
});

describe('account and mail settings in code', () => {
  it('reads appUrl, the switches, the lifetimes and the mail settings', async () => {
    const config = await development(
      {},
      {
        appUrl: 'https://app.example.com',
        signUp: false,
        passwordReset: false,
        requireEmailVerification: false,
        emailVerificationLifetime: '1h',
        passwordResetLifetime: 600,
        mail: { from: 'Shop <shop@example.com>', timeout: '30s' },
        reauthMaxAge: '10m',
      },
    );
    expect(config).toMatchObject({
      appUrl: 'https://app.example.com',
      signUp: false,
      passwordReset: false,
      requireEmailVerification: false,
      emailVerificationLifetimeSeconds: 3600,
      passwordResetLifetimeSeconds: 600,
      mail: { smtpUrl: null, from: 'Shop <shop@example.com>', timeoutSeconds: 30 },
      reauthMaxAgeSeconds: 600,
    });
  });

  it('keeps the default password rules a partial passwordRules leaves out', async () => {
    const rules: PasswordRules = (await development({}, { passwordRules: { minLength: 12 } }))
      .passwordRules;
    expect(rules).toEqual({
      minLength: 12,
      maxLength: 4096,
      maxSimilarity: 0.7,
      commonPasswords: true,
      numeric: true,
    });
  });

  it.each([
    [{ minLength: 0 }, 'minLength'],
    [{ maxLength: 5000 }, 'maxLength'],
    [{ maxSimilarity: 0.05 }, 'maxSimilarity'],
    [{ minLength: 20, maxLength: 10 }, 'maxLength'],
    [{ minLenght: 10 } as Partial<PasswordRules>, 'minLenght'],
  ])('refuses passwordRules %j, naming the rule', async (passwordRules, rule) => {
    await expectConfigError(() => development({}, { passwordRules }), 'passwordRules', rule);
  });

  it.each([
    [{ appUrl: 'https://app.example.com/' }, 'appUrl'],
    [{ mail: { from: 'nobody' } }, 'mail.from'],
    [{ mail: { timeout: '5x' } } as unknown as AuthOptions, 'mail.timeout'],
    [{ emailVerificationLifetime: 0 }, 'emailVerificationLifetime'],
    [{ passwordResetLifetime: 'later' } as unknown as AuthOptions, 'passwordResetLifetime'],
    [{ reauthMaxAge: -1 }, 'reauthMaxAge'],
  ] as [AuthOptions, string][])('refuses %j, naming %s', async (options, setting) => {
    await expectConfigError(() => development({}, options), setting);
  });
});

describe('account and mail settings in production', () => {
  it('starts with SMTP_URL and an https AUTH_APP_URL while sign-up and reset are on', async () => {
    const config = await production();
    expect([config.signUp, config.passwordReset, config.appUrl, config.mail.smtpUrl]).toEqual([
      true,
      true,
      'https://app.example.com',
      'smtp://127.0.0.1:9',
    ]);
  });

  it.each([
    ['SMTP_URL', { smtpUrl: undefined }],
    ['AUTH_APP_URL', { appUrl: undefined }],
    ['SMTP_URL and AUTH_APP_URL', { smtpUrl: undefined, appUrl: undefined }],
  ] as const)(
    'refuses to start without %s, naming both and how to turn the features off',
    async (missing, env) => {
      await expectConfigError(
        () => production(env),
        `${missing} ${missing.includes(' and ') ? 'are' : 'is'} not set`,
        'SMTP_URL (',
        'AUTH_APP_URL (',
        'AUTH_SIGN_UP=false',
        'AUTH_PASSWORD_RESET=false',
      );
    },
  );

  it.each([
    ['sign-up alone', { passwordReset: 'false' }, 'sign-up send mail'],
    ['password reset alone', { signUp: 'false' }, 'password reset send mail'],
  ] as const)('refuses with %s on', async (_, env, words) => {
    await expectConfigError(() => production({ smtpUrl: undefined, ...env }), words, 'SMTP_URL');
  });

  it('starts without mail settings when sign-up and password reset are off (AUTH_SIGN_UP=false, AUTH_PASSWORD_RESET=false)', async () => {
    const config = await production({
      smtpUrl: undefined,
      appUrl: undefined,
      signUp: 'false',
      passwordReset: 'false',
    });
    expect([config.appUrl, config.mail.smtpUrl]).toEqual([null, null]);
  });

  it('counts an appUrl set in code', async () => {
    expect(
      (await production({ appUrl: undefined }, { appUrl: 'https://code.example' })).appUrl,
    ).toBe('https://code.example');
  });

  it('refuses an http AUTH_APP_URL, naming it and https', async () => {
    await expectConfigError(
      () => production({ appUrl: 'http://app.example.com' }),
      'AUTH_APP_URL',
      'https',
    );
  });

  it('refuses an http appUrl set in code, naming the setting', async () => {
    await expectConfigError(
      () => quietProduction({}, { appUrl: 'http://app.example.com' }),
      'appUrl must be an https origin in production',
    );
  });

  it.each(['http://localhost:4123', 'http://app.localhost:4123'])(
    'accepts %s in production: localhost is a secure context (local production builds, passkeys)',
    async (url) => {
      expect((await production({ appUrl: url })).appUrl).toBe(url);
    },
  );

  it('accepts an http AUTH_APP_URL in development', async () => {
    expect((await development({ appUrl: 'http://app.example.com' })).appUrl).toBe(
      'http://app.example.com',
    );
  });
});

describe('the trusted-origins check and appUrl', () => {
  const crossOrigin = (origin: string) =>
    new Headers({ origin, host: 'auth.example.com', 'x-forwarded-proto': 'https' });

  it('trusts a POST from appUrl', async () => {
    const config = await production({ appUrl: 'https://app.example.com' });
    expect(isSameSiteRequest(config, crossOrigin('https://app.example.com'))).toBe(true);
  });

  it('still refuses another origin', async () => {
    const config = await production({ appUrl: 'https://app.example.com' });
    expect(isSameSiteRequest(config, crossOrigin('https://evil.example.com'))).toBe(false);
  });

  it('trusts nothing more when appUrl is null', async () => {
    const config = await quietProduction();
    expect(isSameSiteRequest(config, crossOrigin('https://app.example.com'))).toBe(false);
    expect(isSameSiteRequest(config, crossOrigin('null'))).toBe(false);
  });
});
