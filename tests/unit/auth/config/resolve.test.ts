import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGISTERED_CLAIMS } from '@/auth/config/define';
import type { AuthEnv } from '@/auth/config/env';
import { resolveAuthConfig } from '@/auth/config/resolve';
import type { AuthConfig, AuthOptions } from '@/auth/config/types';
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
let esKey: JWK;
let ready: AuthEnv;

beforeAll(async () => {
  ({ dataDir, remove } = makeDataDir());
  esKey = await privateJwk('ES256', 'es-1');
  // A development environment with its secrets given, so nothing is generated.
  ready = devEnv(dataDir, {
    secret: STRONG_SECRET,
    signingKeys: JSON.stringify({ keys: [esKey] }),
  });
});

afterAll(() => remove());

function resolve(options: AuthOptions = {}, env: Partial<AuthEnv> = {}): Promise<AuthConfig> {
  return resolveAuthConfig(options, { ...ready, ...env });
}

describe('resolveAuthConfig defaults', () => {
  let config: AuthConfig;

  beforeAll(async () => {
    config = await resolve();
  });

  it.each([
    ['refreshCookieName', 'refresh_cookie'],
    ['refreshCookiePath', '/auth'],
    ['csrfCookieName', 'CSRF_token'],
    ['sessionCookieName', 'session'],
    ['cookieSalt', 'extra'],
    ['cookieSecure', 'auto'],
    ['accessTokenLifetimeSeconds', 300],
    ['refreshTokenLifetimeSeconds', 86_400],
    ['rotateRefreshTokens', true],
    ['blacklistAfterRotation', true],
    ['algorithm', 'ES256'],
    ['leewaySeconds', 0],
    ['audience', null],
    ['issuer', null],
    ['sessionMaxLifetimeSeconds', 30 * 86_400],
    ['reuseGraceWindowSeconds', 10],
    ['idTokenMaxAgeSeconds', 3600],
    ['trustedOrigins', []],
    [
      'throttle',
      {
        username: { limit: 5, windowSeconds: 900 },
        address: { limit: 30, windowSeconds: 900 },
        global: { limit: 100, windowSeconds: 900 },
        mail: { limit: 5, windowSeconds: 3600 },
      },
    ],
    ['customTokenUserAttributes', []],
    ['customTokenClaims', []],
    ['serializeUser', null],
    ['onEvent', null],
    ['clientAddressHeader', null],
    ['maxBodyBytes', 16 * 1024],
    ['production', false],
  ] as const)('sets %s to %j', (setting, expected) => {
    expect(config[setting]).toEqual(expected);
  });

  it('returns a frozen configuration', () => {
    expect(Object.isFrozen(config)).toBe(true);
  });
});

describe('resolveAuthConfig durations', () => {
  it.each([
    ['5m', 300],
    ['1d', 86_400],
    ['90s', 90],
    [120, 120],
  ] as const)('reads accessTokenLifetime %j as %i seconds', async (value, seconds) => {
    expect((await resolve({ accessTokenLifetime: value })).accessTokenLifetimeSeconds).toBe(
      seconds,
    );
  });

  it('reads refreshTokenLifetime "7d" as a week of seconds', async () => {
    expect((await resolve({ refreshTokenLifetime: '7d' })).refreshTokenLifetimeSeconds).toBe(
      7 * 86_400,
    );
  });

  it('reads a duration from the environment', async () => {
    expect((await resolve({}, { accessTokenLifetime: '10m' })).accessTokenLifetimeSeconds).toBe(
      600,
    );
  });

  it('reads a bare number of seconds from the environment', async () => {
    expect((await resolve({}, { refreshTokenLifetime: '3600' })).refreshTokenLifetimeSeconds).toBe(
      3600,
    );
  });

  it('lets the environment win over the code for a duration', async () => {
    expect(
      (await resolve({ accessTokenLifetime: '5m' }, { accessTokenLifetime: '15m' }))
        .accessTokenLifetimeSeconds,
    ).toBe(900);
  });

  it('refuses a reuseGraceWindow over 60 seconds, naming it', async () => {
    await expectConfigError(() => resolve({ reuseGraceWindow: 61 }), 'reuseGraceWindow');
  });

  it('refuses a reuseGraceWindow over 60 seconds from the environment, naming AUTH_REUSE_GRACE_WINDOW', async () => {
    await expectConfigError(
      () => resolve({}, { reuseGraceWindow: '61' }),
      'AUTH_REUSE_GRACE_WINDOW must be a duration',
      'between 0s and 60s',
    );
  });

  it('refuses a malformed duration from the environment, naming AUTH_ACCESS_TOKEN_LIFETIME and the value', async () => {
    await expectConfigError(
      () => resolve({}, { accessTokenLifetime: 'soon' }),
      'AUTH_ACCESS_TOKEN_LIFETIME must be a duration',
      '"soon"',
    );
  });
});

describe('resolveAuthConfig custom claims', () => {
  it.each(REGISTERED_CLAIMS)(
    'stops start-up on a custom claim named %s, naming it',
    async (name) => {
      await expectConfigError(
        () => resolve({ customTokenClaims: [{ attrName: name, attrGetter: () => 1 }] }),
        `"${name}"`,
      );
    },
  );

  it('stops start-up on an unknown user attribute, naming the setting', async () => {
    await expectConfigError(
      () => resolve({ customTokenUserAttributes: ['password' as never] }),
      'customTokenUserAttributes',
    );
  });

  it('keeps the configured user attributes', async () => {
    expect(
      (await resolve({ customTokenUserAttributes: ['is_staff', 'email'] }))
        .customTokenUserAttributes,
    ).toEqual(['is_staff', 'email']);
  });
});

describe('resolveAuthConfig in production', () => {
  const keys = () => JSON.stringify({ keys: [esKey] });

  it('refuses to start without AUTH_SECRET, saying how to generate one', async () => {
    await expectConfigError(
      () => resolveAuthConfig({}, productionEnv(dataDir, { signingKeys: keys() })),
      'AUTH_SECRET',
      'generate-keys',
    );
  });

  it('refuses a short AUTH_SECRET, naming it', async () => {
    await expectConfigError(
      () =>
        resolveAuthConfig(
          {},
          productionEnv(dataDir, { secret: 'a'.repeat(31), signingKeys: keys() }),
        ),
      'AUTH_SECRET',
    );
  });

  it('refuses a placeholder AUTH_SECRET such as changeme', async () => {
    await expectConfigError(
      () =>
        resolveAuthConfig({}, productionEnv(dataDir, { secret: 'changeme', signingKeys: keys() })),
      'AUTH_SECRET',
    );
  });

  it('accepts a random AUTH_SECRET of 32 characters', async () => {
    const secret = 'Xo3vQ9kLm2PzR7tWc5YbN8dHs1GfJa4E';
    const config = await resolveAuthConfig(
      {},
      productionEnv(dataDir, { secret, signingKeys: keys() }),
    );
    expect(config.secret).toBe(secret);
  });

  it('refuses to start on ES256 without AUTH_SIGNING_KEYS, saying how to generate them', async () => {
    await expectConfigError(
      () => resolveAuthConfig({}, productionEnv(dataDir, { secret: STRONG_SECRET })),
      'AUTH_SIGNING_KEYS',
      'generate-keys',
    );
  });

  it.each(['RS256', 'EdDSA'])(
    'refuses to start on %s without AUTH_SIGNING_KEYS',
    async (algorithm) => {
      await expectConfigError(
        () => resolveAuthConfig({}, productionEnv(dataDir, { secret: STRONG_SECRET, algorithm })),
        'AUTH_SIGNING_KEYS',
      );
    },
  );

  it('starts on HS256 with AUTH_SECRET and AUTH_HS256_KEY and no signing keys', async () => {
    const config = await resolveAuthConfig(
      {},
      productionEnv(dataDir, {
        secret: STRONG_SECRET,
        hs256Key: STRONG_HS256_KEY,
        algorithm: 'HS256',
      }),
    );
    expect([config.signingKeys, config.hs256Key]).toEqual([[], STRONG_HS256_KEY]);
  });

  it('uses the keys from the environment', async () => {
    const config = await resolveAuthConfig(
      {},
      productionEnv(dataDir, { secret: STRONG_SECRET, signingKeys: keys() }),
    );
    expect(config.signingKeys.map((key) => key.kid)).toEqual(['es-1']);
  });

  it('marks the configuration as production', async () => {
    const config = await resolveAuthConfig(
      {},
      productionEnv(dataDir, { secret: STRONG_SECRET, signingKeys: keys() }),
    );
    expect(config.production).toBe(true);
  });

  it('never generates or writes secrets', async () => {
    const { dataDir: empty, remove: removeEmpty } = makeDataDir();
    try {
      await resolveAuthConfig({}, productionEnv(empty, { secret: STRONG_SECRET })).catch(
        () => undefined,
      );
      expect(existsSync(join(empty, 'secrets.json'))).toBe(false);
    } finally {
      removeEmpty();
    }
  });
});

describe('resolveAuthConfig other environment settings', () => {
  it('reads AUTH_ISSUER and AUTH_AUDIENCE', async () => {
    const config = await resolve({}, { issuer: 'https://kit.example', audience: 'api' });
    expect([config.issuer, config.audience]).toEqual(['https://kit.example', 'api']);
  });

  it.each([
    ['true', true],
    ['false', false],
    ['auto', 'auto'],
  ] as const)('reads AUTH_COOKIE_SECURE=%s', async (value, expected) => {
    expect((await resolve({}, { cookieSecure: value })).cookieSecure).toBe(expected);
  });

  it('refuses another AUTH_COOKIE_SECURE value, naming it', async () => {
    await expectConfigError(() => resolve({}, { cookieSecure: 'yes' }), 'AUTH_COOKIE_SECURE');
  });

  it('reads AUTH_TRUSTED_ORIGINS as a comma-separated list', async () => {
    const config = await resolve(
      {},
      { trustedOrigins: 'https://a.example, https://b.example:8443' },
    );
    expect(config.trustedOrigins).toEqual(['https://a.example', 'https://b.example:8443']);
  });

  it('refuses a trusted origin with a path, naming AUTH_TRUSTED_ORIGINS', async () => {
    await expectConfigError(
      () => resolve({}, { trustedOrigins: 'https://a.example/app' }),
      'AUTH_TRUSTED_ORIGINS',
    );
  });

  it('refuses a trusted origin with a trailing slash', async () => {
    await expectConfigError(
      () => resolve({}, { trustedOrigins: 'https://a.example/' }),
      'AUTH_TRUSTED_ORIGINS',
    );
  });

  it('names trustedOrigins when a trusted origin set in code has a trailing slash', async () => {
    await expectConfigError(
      () => resolve({ trustedOrigins: ['https://a.example/'] }),
      'trustedOrigins',
    );
  });

  it('lower-cases the client address header', async () => {
    expect(
      (await resolve({}, { clientAddressHeader: 'X-Forwarded-For' })).clientAddressHeader,
    ).toBe('x-forwarded-for');
  });

  it('refuses an unknown AUTH_LOG_LEVEL, naming it', async () => {
    await expectConfigError(() => resolve({}, { logLevel: 'verbose' }), 'AUTH_LOG_LEVEL');
  });
});

describe('resolveAuthConfig AUTH_THROTTLE', () => {
  it('reads both limits', async () => {
    const config = await resolve({}, { throttle: 'username=3/60,address=10/120' });
    expect(config.throttle).toEqual({
      username: { limit: 3, windowSeconds: 60 },
      address: { limit: 10, windowSeconds: 120 },
      global: { limit: 100, windowSeconds: 900 },
      mail: { limit: 5, windowSeconds: 3600 },
    });
  });

  it('keeps the default for the limit it does not name', async () => {
    const config = await resolve({}, { throttle: 'username=3/60' });
    expect(config.throttle).toEqual({
      username: { limit: 3, windowSeconds: 60 },
      address: { limit: 30, windowSeconds: 900 },
      global: { limit: 100, windowSeconds: 900 },
      mail: { limit: 5, windowSeconds: 3600 },
    });
  });

  it('reads the mail rule', async () => {
    const config = await resolve({}, { throttle: 'mail=2/600' });
    expect(config.throttle && config.throttle.mail).toEqual({ limit: 2, windowSeconds: 600 });
  });

  it('fills in the global and mail rules a throttle set in code leaves out', async () => {
    const rule = { limit: 3, windowSeconds: 60 };
    const config = await resolve({ throttle: { username: rule, address: rule } });
    expect(config.throttle).toEqual({
      username: rule,
      address: rule,
      global: { limit: 100, windowSeconds: 900 },
      mail: { limit: 5, windowSeconds: 3600 },
    });
  });

  it('turns throttling off with "off"', async () => {
    expect((await resolve({}, { throttle: 'off' })).throttle).toBe(false);
  });

  it('wins over the throttle set in code', async () => {
    expect((await resolve({ throttle: false }, { throttle: 'username=3/60' })).throttle).not.toBe(
      false,
    );
  });

  it('uses the throttle set in code when unset', async () => {
    expect((await resolve({ throttle: false })).throttle).toBe(false);
  });

  it.each([
    'bogus',
    'username=5',
    'username=5/900;address=30/900',
    'users=5/900',
    'username=-1/900',
  ])('refuses %j, naming AUTH_THROTTLE', async (value) => {
    await expectConfigError(() => resolve({}, { throttle: value }), 'AUTH_THROTTLE');
  });

  it.each(['username=0/900', 'address=30/0'])(
    'refuses the zero rule %j, naming AUTH_THROTTLE',
    async (value) => {
      await expectConfigError(() => resolve({}, { throttle: value }), 'AUTH_THROTTLE');
    },
  );
});
