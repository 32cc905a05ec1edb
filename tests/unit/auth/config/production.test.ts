import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthEnv } from '@/auth/config/env';
import { resolveAuthConfig } from '@/auth/config/resolve';
import type { AuthOptions } from '@/auth/config/types';
import { privateJwk } from '../tokens/fixtures';
import {
  STRONG_HS256_KEY,
  STRONG_SECRET,
  devEnv,
  expectConfigError,
  makeDataDir,
  productionEnv,
} from './helpers';

let dataDir: string;
let remove: () => void;
let keys: string;

beforeAll(async () => {
  ({ dataDir, remove } = makeDataDir());
  keys = JSON.stringify({ keys: [await privateJwk('ES256', 'es-1')] });
});

afterAll(() => remove());

const production = (env: Partial<AuthEnv> = {}, options: AuthOptions = {}) =>
  resolveAuthConfig(
    options,
    productionEnv(dataDir, { secret: STRONG_SECRET, signingKeys: keys, ...env }),
  );
const development = (env: Partial<AuthEnv> = {}, options: AuthOptions = {}) =>
  resolveAuthConfig(options, devEnv(dataDir, { secret: STRONG_SECRET, signingKeys: keys, ...env }));
const hs256 = (env: Partial<AuthEnv> = {}) =>
  production({ algorithm: 'HS256', signingKeys: undefined, ...env });

describe('a weak AUTH_SECRET in production', () => {
  it.each([
    ['aaaa…', 'a'.repeat(48)],
    ['changeme-changeme-…', 'changeme-changeme-changeme-changeme-changeme'],
    ['the alphabet in order', 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEF'],
    ['a short random one', 'Xo3vQ9kLm2PzR7tW'],
  ])('refuses %s, naming AUTH_SECRET and how to generate one', async (_, secret) => {
    await expectConfigError(
      () => production({ secret }),
      'AUTH_SECRET is too weak',
      'npm run auth -- generate-keys',
      'openssl rand -base64 48',
    );
  });

  it('is accepted in development (the rule guards production)', async () => {
    expect((await development({ secret: 'a'.repeat(48) })).secret).toBe('a'.repeat(48));
  });
});

describe('AUTH_COOKIE_SECURE in production', () => {
  it('refuses AUTH_COOKIE_SECURE=false, naming it and the fix', async () => {
    await expectConfigError(
      () => production({ cookieSecure: 'false' }),
      'AUTH_COOKIE_SECURE=false',
      'production',
      'https',
    );
  });

  it('refuses cookieSecure: false set in code, naming the setting', async () => {
    await expectConfigError(() => production({}, { cookieSecure: false }), 'cookieSecure: false');
  });

  it.each(['auto', 'true'])('accepts AUTH_COOKIE_SECURE=%s', async (value) => {
    await expect(production({ cookieSecure: value })).resolves.toBeDefined();
  });

  it('still accepts AUTH_COOKIE_SECURE=false in development', async () => {
    expect((await development({ cookieSecure: 'false' })).cookieSecure).toBe(false);
  });
});

describe('AUTH_HS256_KEY', () => {
  it('is required in production for HS256, with how to generate it', async () => {
    await expectConfigError(() => hs256(), 'AUTH_HS256_KEY is required', 'openssl rand -base64 48');
  });

  it('must differ from AUTH_SECRET', async () => {
    await expectConfigError(
      () => hs256({ hs256Key: STRONG_SECRET }),
      'AUTH_HS256_KEY must differ from AUTH_SECRET',
    );
  });

  it('must differ from AUTH_SECRET in development too', async () => {
    await expectConfigError(
      () => development({ algorithm: 'HS256', hs256Key: STRONG_SECRET }),
      'AUTH_HS256_KEY must differ from AUTH_SECRET',
    );
  });

  it('meets the same strength rule as AUTH_SECRET', async () => {
    await expectConfigError(
      () => hs256({ hs256Key: 'changeme-changeme-changeme-changeme' }),
      'AUTH_HS256_KEY is too weak',
      'openssl rand -base64 48',
    );
  });

  it('is the HS256 key, and AUTH_SECRET stays the cookie secret', async () => {
    const config = await hs256({ hs256Key: STRONG_HS256_KEY });
    expect([config.hs256Key, config.secret]).toEqual([STRONG_HS256_KEY, STRONG_SECRET]);
  });

  it('is ignored for the asymmetric algorithms', async () => {
    expect((await production({ hs256Key: STRONG_HS256_KEY })).hs256Key).toBeNull();
  });
});

describe('cookiePrefix', () => {
  it("defaults to '' with the seed's cookie path", async () => {
    const config = await production();
    expect([config.cookiePrefix, config.refreshCookiePath]).toEqual(['', '/auth']);
  });

  it.each([
    ['__Host-', '__Host-', '/'],
    ['__Secure-', '__Secure-', '/auth'],
    ['none', '', '/auth'],
  ])('reads AUTH_COOKIE_PREFIX=%s', async (value, prefix, path) => {
    const config = await production({ cookiePrefix: value });
    expect([config.cookiePrefix, config.refreshCookiePath]).toEqual([prefix, path]);
  });

  it('takes the prefix from the code, and the environment wins', async () => {
    expect((await production({}, { cookiePrefix: '__Host-' })).cookiePrefix).toBe('__Host-');
    expect(
      (await production({ cookiePrefix: '__Secure-' }, { cookiePrefix: '__Host-' })).cookiePrefix,
    ).toBe('__Secure-');
  });

  it('refuses another AUTH_COOKIE_PREFIX value, naming it', async () => {
    await expectConfigError(() => production({ cookiePrefix: '__host-' }), 'AUTH_COOKIE_PREFIX');
  });

  it('refuses an unknown prefix in code, naming the setting', async () => {
    await expectConfigError(
      () => production({}, { cookiePrefix: 'x-' as AuthOptions['cookiePrefix'] }),
      'cookiePrefix',
    );
  });

  it('refuses __Host- with a refreshCookiePath other than /, naming both', async () => {
    await expectConfigError(
      () => production({ cookiePrefix: '__Host-' }, { refreshCookiePath: '/auth' }),
      'refreshCookiePath',
      '__Host-',
    );
  });

  it.each(['__Host-', '__Secure-'])(
    'refuses %s with Secure off (AUTH_COOKIE_SECURE=false), even in development',
    async (prefix) => {
      await expectConfigError(
        () => development({ cookiePrefix: prefix, cookieSecure: 'false' }),
        'AUTH_COOKIE_PREFIX',
        'AUTH_COOKIE_SECURE',
      );
    },
  );
});
