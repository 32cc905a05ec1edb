import { afterEach, describe, expect, it } from 'vitest';
import { ENV_VARIABLES, readAuthEnv, type AuthEnv, type EnvKey } from '@/auth/config/env';
import { envSchema, parseAuthEnv } from '@/auth/config/env-schema';
import { expectConfigError } from './helpers';

const parse = (env: Partial<AuthEnv>) => parseAuthEnv({ nodeEnv: 'development', ...env });

/** One value each validated variable refuses. */
const BAD: [EnvKey, string][] = [
  ['databaseUrl', 'mysql://app@localhost/app'],
  ['databaseDriver', 'sqlite'],
  ['databaseTimeout', '11m'],
  ['signingKeys', '{not json'],
  ['algorithm', 'HS512'],
  ['throttle', 'users=5/900'],
  ['trustedOrigins', 'https://a.example/app'],
  ['cookieSecure', 'yes'],
  ['cookiePrefix', '__host-'],
  ['logLevel', 'verbose'],
  ['cognitoUserPoolId', 'not-a-pool'],
  ['idpProvider', 'saml'],
  ['accessTokenLifetime', '5x'],
  ['refreshTokenLifetime', '0'],
  ['sessionMaxLifetime', 'forever'],
  ['reuseGraceWindow', '2m'],
  ['idTokenMaxAge', '-1'],
  ['leeway', '6m'],
  ['port', '70000'],
  ['appUrl', 'https://app.example.com/'],
  ['signUp', 'yes'],
  ['passwordReset', '1'],
  ['requireEmailVerification', 'on'],
  ['emailVerificationLifetime', 'a day'],
  ['passwordResetLifetime', '0s'],
  ['smtpUrl', 'http://mail.example.com'],
  ['mailFrom', 'nobody'],
  ['mailTimeout', '0'],
  ['reauthMaxAge', 'soon'],
];

describe('the environment schema', () => {
  it('has an entry for every variable the kit reads', () => {
    expect(Object.keys(envSchema.shape).sort()).toEqual(
      [...Object.keys(ENV_VARIABLES), 'nodeEnv'].sort(),
    );
  });

  it.each(BAD)('names the variable for a bad %s (%j)', async (key, value) => {
    await expectConfigError(() => parse({ [key]: value }), ENV_VARIABLES[key]);
    let message = '';
    try {
      parse({ [key]: value });
    } catch (error) {
      message = (error as Error).message;
    }
    // The message starts with the variable as the user wrote it, never with the code setting.
    expect(message.startsWith(ENV_VARIABLES[key])).toBe(true);
  });

  it('says what it got, as the issue asks: AUTH_ACCESS_TOKEN_LIFETIME must be a duration, got "5x"', async () => {
    await expectConfigError(
      () => parse({ accessTokenLifetime: '5x' }),
      'AUTH_ACCESS_TOKEN_LIFETIME must be a duration such as 300 or "5m", at least 1s (got "5x")',
    );
  });

  it('names every bad variable at once, one line each', () => {
    let message = '';
    try {
      parse({ accessTokenLifetime: '5x', cookieSecure: 'yes', signUp: 'maybe' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split('\n').map((line) => line.split(' ')[0])).toEqual([
      'AUTH_COOKIE_SECURE',
      'AUTH_ACCESS_TOKEN_LIFETIME',
      'AUTH_SIGN_UP',
    ]);
  });

  it.each([
    ['DATABASE_URL', { databaseUrl: 'mysql://app:db-pass-123@localhost/app' }, 'db-pass-123'],
    ['SMTP_URL', { smtpUrl: 'http://user:mail-pass-456@mail.example.com' }, 'mail-pass-456'],
  ] as const)('never repeats a password from %s', (_, env, password) => {
    let message = '';
    try {
      parse(env);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).not.toBe('');
    expect(message).not.toContain(password);
  });

  it('gives typed values: seconds, booleans, lists, keys, the throttle', () => {
    const env = parse({
      accessTokenLifetime: '10m',
      databaseTimeout: '1.5s',
      signUp: 'false',
      cookieSecure: 'true',
      cookiePrefix: 'none',
      trustedOrigins: 'https://a.example, https://b.example',
      throttle: 'mail=1/60',
      clientAddressHeader: 'X-Real-IP',
      port: '3001',
    });
    expect(env).toMatchObject({
      accessTokenLifetime: 600,
      databaseTimeout: 1.5,
      signUp: false,
      cookieSecure: true,
      cookiePrefix: '',
      trustedOrigins: ['https://a.example', 'https://b.example'],
      throttle: { mail: { limit: 1, windowSeconds: 60 } },
      clientAddressHeader: 'x-real-ip',
      port: 3001,
    });
  });
});

describe('readAuthEnv', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('reads each variable under its name, trimmed, and leaves out the empty ones', () => {
    for (const name of Object.values(ENV_VARIABLES)) delete process.env[name];
    process.env.AUTH_ACCESS_TOKEN_LIFETIME = ' 10m ';
    process.env.SMTP_URL = 'smtp://127.0.0.1:2525';
    process.env.AUTH_APP_URL = '   ';
    const env = readAuthEnv();
    expect(env.accessTokenLifetime).toBe('10m');
    expect(env.smtpUrl).toBe('smtp://127.0.0.1:2525');
    expect('appUrl' in env).toBe(false);
  });

  it('reads every variable in the table', () => {
    for (const name of Object.values(ENV_VARIABLES)) process.env[name] = `value-of-${name}`;
    const env = readAuthEnv();
    for (const [key, name] of Object.entries(ENV_VARIABLES))
      expect(env[key as EnvKey]).toBe(`value-of-${name}`);
  });
});
