import { join } from 'node:path';
import { LOG_LEVELS } from '@/log';
import type { JWK } from 'jose';
import type { AuthEnv } from './env';
import { ConfigError, defineAuthConfig } from './define';
import { parseDurationSeconds } from './durations';
import { DEFAULT_THROTTLE, parseThrottle } from './throttle';
import { loadDevSecrets } from './secrets';
import { secretWeakness } from './strength';
import { COOKIE_PREFIXES, type CookiePrefix } from '../cookies/names';
import {
  ALGORITHMS,
  type Algorithm,
  type AuthConfig,
  type AuthOptions,
  type DatabaseSettings,
  type IdpSettings,
} from './types';

function fail(message: string): never {
  throw new ConfigError(message);
}

function parseSigningKeys(raw: string): JWK[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    fail(
      'AUTH_SIGNING_KEYS must be a JSON private JWK set ({"keys":[...]}); generate one with `npm run auth -- generate-keys`',
    );
  }
  const keys = Array.isArray(parsed) ? parsed : (parsed as { keys?: unknown })?.keys;
  if (!Array.isArray(keys) || keys.length === 0)
    fail('AUTH_SIGNING_KEYS must hold at least one key ({"keys":[...]})');
  return keys.map((key: unknown, index) => {
    const jwk = key as JWK;
    if (
      typeof jwk !== 'object' ||
      !jwk ||
      typeof jwk.kty !== 'string' ||
      typeof jwk.d !== 'string'
    ) {
      fail(`AUTH_SIGNING_KEYS key ${index} must be a private JWK (with "kty" and "d")`);
    }
    if (typeof jwk.kid !== 'string' || !jwk.kid)
      fail(`AUTH_SIGNING_KEYS key ${index} needs a "kid"`);
    if (!ALGORITHMS.includes(jwk.alg as Algorithm) || jwk.alg === 'HS256') {
      fail(
        `AUTH_SIGNING_KEYS key "${jwk.kid}" needs "alg" set to ES256, RS256 or EdDSA (got ${JSON.stringify(jwk.alg)})`,
      );
    }
    return jwk;
  });
}

function resolveDatabase(env: AuthEnv, dataDir: string): DatabaseSettings {
  const driver = env.databaseDriver;
  if (driver && !['pglite', 'neon', 'pg'].includes(driver))
    fail(`DATABASE_DRIVER must be pglite, neon or pg (got "${driver}")`);
  // Validated whatever the driver; PGlite runs in the process and has no network to time out.
  const timeout =
    env.databaseTimeout === undefined
      ? {}
      : { timeoutSeconds: parseDatabaseTimeout(env.databaseTimeout) };
  if (driver === 'pglite' || (!driver && !env.databaseUrl))
    return { driver: 'pglite', dataDir: join(dataDir, 'pglite') };
  const url = env.databaseUrl ?? fail(`DATABASE_DRIVER=${driver} needs DATABASE_URL`);
  let host: string;
  try {
    const parsed = new URL(url);
    if (!['postgres:', 'postgresql:'].includes(parsed.protocol)) throw new Error();
    host = parsed.hostname;
  } catch {
    fail('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  return {
    driver: (driver as 'neon' | 'pg' | undefined) ?? (host.endsWith('.neon.tech') ? 'neon' : 'pg'),
    url,
    ...timeout,
  };
}

function parseDatabaseTimeout(raw: string): number {
  const seconds = parseDurationSeconds(raw);
  if (seconds === null || seconds < 0.1 || seconds > 600)
    fail(`DATABASE_TIMEOUT must be a duration from 0.1s to 10m, such as 5s (got "${raw}")`);
  return seconds;
}

/** Resolves the IdP settings from the options and the environment (no secrets needed). */
export function resolveIdp(options: Partial<IdpSettings>, env: AuthEnv): IdpSettings {
  const provider =
    options.provider ?? (env.idpProvider as IdpSettings['provider'] | undefined) ?? 'aws';
  if (provider !== 'aws' && provider !== 'oidc')
    fail(`idp.provider must be "aws" or "oidc" (got "${provider}")`);
  const userPoolId = options.userPoolId ?? env.cognitoUserPoolId ?? null;
  const poolSetting = options.userPoolId ? 'idp.userPoolId' : 'COGNITO_USER_POOL_ID';
  if (userPoolId && !/^[\w-]+_[0-9a-zA-Z]+$/.test(userPoolId))
    fail(`${poolSetting} must look like "us-east-1_AbCdEf" (got "${userPoolId}")`);
  const region = options.region ?? env.cognitoRegion ?? userPoolId?.split('_')[0] ?? null;
  const cognitoIssuer =
    region && userPoolId ? `https://cognito-idp.${region}.amazonaws.com/${userPoolId}` : null;
  const issuer = provider === 'aws' ? cognitoIssuer : (options.issuer ?? env.idpIssuer ?? null);
  return {
    provider,
    region,
    userPoolId,
    clientId: options.clientId ?? env.idpClientId ?? env.cognitoClientId ?? null,
    domain: options.domain ?? env.cognitoDomain ?? null,
    authority: options.authority ?? env.cognitoAuthority ?? issuer,
    issuer,
    jwksUrl: options.jwksUrl ?? env.idpJwksUrl ?? null,
  };
}

/**
 * Builds the one {@link AuthConfig}: the user's options, the environment, the defaults of the
 * seed and simplejwt, and the secrets (generated under `.data/` in development only).
 * @throws ConfigError naming the setting when a value cannot be used.
 */
export async function resolveAuthConfig(
  userOptions: AuthOptions,
  env: AuthEnv,
): Promise<AuthConfig> {
  // Durations set in the environment win over the code's, so operators can tune them per deployment.
  const durationsFromEnv = Object.fromEntries(
    (
      [
        'accessTokenLifetime',
        'refreshTokenLifetime',
        'sessionMaxLifetime',
        'reuseGraceWindow',
        'idTokenMaxAge',
        'leeway',
      ] as const
    )
      .filter((name) => env[name] !== undefined)
      .map((name) => [name, /^\d+$/.test(env[name]!) ? Number(env[name]) : env[name]]),
  );
  const options = defineAuthConfig({ ...userOptions, ...durationsFromEnv });
  const production = env.nodeEnv === 'production';
  const dataDir = env.dataDir ?? join(process.cwd(), '.data');
  const envKeys = env.signingKeys ? parseSigningKeys(env.signingKeys) : null;
  const algorithm = (env.algorithm ??
    options.algorithm ??
    envKeys?.[0]?.alg ??
    'ES256') as Algorithm;
  if (!ALGORITHMS.includes(algorithm))
    fail(`AUTH_ALGORITHM must be one of ${ALGORITHMS.join(', ')} (got "${algorithm}")`);
  if (envKeys && algorithm !== 'HS256' && envKeys[0]?.alg !== algorithm) {
    fail(
      `AUTH_SIGNING_KEYS: the first key signs, so its alg must be ${algorithm} (got ${envKeys[0]?.alg})`,
    );
  }

  const { secret, hs256Key, signingKeys } = await resolveSecrets(env, {
    production,
    algorithm,
    envKeys,
    dataDir,
  });
  const cookieSecure = resolveCookieSecure(options, env, production);
  const cookiePrefix = resolveCookiePrefix(options, env, cookieSecure);
  const logLevel = (env.logLevel ?? 'info') as AuthConfig['logLevel'];
  if (!LOG_LEVELS.includes(logLevel))
    fail(`AUTH_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  const originsSetting = env.trustedOrigins ? 'AUTH_TRUSTED_ORIGINS' : 'trustedOrigins';
  const trustedOrigins = env.trustedOrigins
    ? env.trustedOrigins
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean)
    : (options.trustedOrigins ?? []);
  for (const origin of trustedOrigins) {
    try {
      if (new URL(origin).origin !== origin) throw new Error();
    } catch {
      fail(
        `${originsSetting}: "${origin}" must be an origin such as https://app.example.com (no path or trailing slash)`,
      );
    }
  }
  // defineAuthConfig validated every duration; parse again to read the numbers.
  const seconds = (value: unknown, fallback: number) =>
    value === undefined ? fallback : parseDurationOrThrow(value);

  return Object.freeze({
    production,
    refreshCookieName: options.refreshCookieName ?? 'refresh_cookie',
    refreshCookiePath: resolveRefreshCookiePath(options, cookiePrefix),
    csrfCookieName: options.csrfCookieName ?? 'CSRF_token',
    sessionCookieName: options.sessionCookieName ?? 'session',
    cookieSalt: options.cookieSalt ?? 'extra',
    cookieSecure,
    cookiePrefix,
    idp: Object.freeze(resolveIdp(options.idp ?? {}, env)),
    customTokenUserAttributes: [...(options.customTokenUserAttributes ?? [])],
    customTokenClaims: [...(options.customTokenClaims ?? [])],
    serializeUser: options.serializeUser ?? null,
    accessTokenLifetimeSeconds: seconds(options.accessTokenLifetime, 300),
    refreshTokenLifetimeSeconds: seconds(options.refreshTokenLifetime, 86_400),
    rotateRefreshTokens: options.rotateRefreshTokens ?? true,
    blacklistAfterRotation: options.blacklistAfterRotation ?? true,
    algorithm,
    leewaySeconds: seconds(options.leeway, 0),
    audience: env.audience ?? options.audience ?? null,
    issuer: env.issuer ?? options.issuer ?? null,
    sessionMaxLifetimeSeconds: seconds(options.sessionMaxLifetime, 30 * 86_400),
    reuseGraceWindowSeconds: seconds(options.reuseGraceWindow, 10),
    idTokenMaxAgeSeconds: seconds(options.idTokenMaxAge, 3600),
    trustedOrigins,
    throttle:
      env.throttle !== undefined
        ? parseThrottleOrFail(env.throttle)
        : (options.throttle ?? DEFAULT_THROTTLE),
    clientAddressHeader:
      (env.clientAddressHeader ?? options.clientAddressHeader ?? null)?.toLowerCase() ?? null,
    maxBodyBytes: options.maxBodyBytes ?? 16 * 1024,
    onEvent: options.onEvent ?? null,
    logLevel,
    // Stand-in for the accounts settings (helper H2 adds the real resolution with validation).
    appUrl: env.appUrl ?? options.appUrl ?? (production ? null : 'http://localhost:3000'),
    signUp: env.signUp !== undefined ? env.signUp === 'true' : (options.signUp ?? true),
    passwordReset:
      env.passwordReset !== undefined
        ? env.passwordReset === 'true'
        : (options.passwordReset ?? true),
    requireEmailVerification:
      env.requireEmailVerification !== undefined
        ? env.requireEmailVerification === 'true'
        : (options.requireEmailVerification ?? true),
    emailVerificationLifetimeSeconds: seconds(options.emailVerificationLifetime, 86_400),
    passwordResetLifetimeSeconds: seconds(options.passwordResetLifetime, 1800),
    passwordRules: {
      minLength: 8,
      maxLength: 4096,
      maxSimilarity: 0.7,
      commonPasswords: true,
      numeric: true,
      ...options.passwordRules,
    },
    mail: {
      smtpUrl: env.smtpUrl ?? null,
      from: env.mailFrom ?? options.mail?.from ?? 'Auth kit <no-reply@localhost>',
      timeoutSeconds: seconds(env.mailTimeout ?? options.mail?.timeout, 5),
    },
    reauthMaxAgeSeconds: seconds(options.reauthMaxAge, 300),
    secret,
    hs256Key,
    signingKeys,
    database: resolveDatabase(env, dataDir),
  });
}

/** How to make each secret (generate-keys prints AUTH_SECRET; the HS256 key is any strong random text). */
const HOW_TO_GENERATE = {
  AUTH_SECRET: 'generate one with: npm run auth -- generate-keys (or: openssl rand -base64 48)',
  AUTH_HS256_KEY: 'generate one with: openssl rand -base64 48',
} as const;

/** Refuses a production secret that is short or guessable, naming the variable and the fix. */
function requireStrongSecret(name: keyof typeof HOW_TO_GENERATE, value: string): void {
  const weakness = secretWeakness(value);
  if (weakness) fail(`${name} is too weak (${weakness}); ${HOW_TO_GENERATE[name]}`);
}

/**
 * AUTH_SECRET (the root of every cookie key), AUTH_HS256_KEY (HS256 only, never the same text) and
 * the signing keys. Production takes them from the environment and refuses weak ones; development
 * generates what is missing once, under `.data/secrets.json`.
 */
async function resolveSecrets(
  env: AuthEnv,
  {
    production,
    algorithm,
    envKeys,
    dataDir,
  }: { production: boolean; algorithm: Algorithm; envKeys: JWK[] | null; dataDir: string },
): Promise<{ secret: string; hs256Key: string | null; signingKeys: JWK[] }> {
  const hs256 = algorithm === 'HS256';
  let secret = env.secret;
  let hs256Key = hs256 ? (env.hs256Key ?? null) : null;
  let signingKeys = envKeys ?? [];
  if (production) {
    if (!secret)
      fail(
        'AUTH_SECRET is required in production: set it to 32+ random characters (`npm run auth -- generate-keys` prints one)',
      );
    requireStrongSecret('AUTH_SECRET', secret);
    if (hs256 && !hs256Key)
      fail(
        `AUTH_HS256_KEY is required in production when the algorithm is HS256: the HS256 signing key, separate from AUTH_SECRET; ${HOW_TO_GENERATE.AUTH_HS256_KEY}`,
      );
    if (hs256Key) requireStrongSecret('AUTH_HS256_KEY', hs256Key);
    if (!hs256 && !envKeys)
      fail(
        `AUTH_SIGNING_KEYS is required in production for ${algorithm}: \`npm run auth -- generate-keys\` prints one`,
      );
  } else if (!secret || (hs256 && !hs256Key) || (!hs256 && !envKeys)) {
    const dev = await loadDevSecrets(dataDir, algorithm);
    secret ??= dev.secret;
    hs256Key ??= dev.hs256Key;
    if (!envKeys) signingKeys = dev.signingKeys;
  }
  // A service given the HS256 key to verify tokens must not be able to mint cookies with it.
  if (hs256Key !== null && hs256Key === secret)
    fail(
      `AUTH_HS256_KEY must differ from AUTH_SECRET (AUTH_SECRET keys the cookies; whoever verifies HS256 tokens holds AUTH_HS256_KEY): ${HOW_TO_GENERATE.AUTH_HS256_KEY}`,
    );
  return {
    secret: secret ?? fail('AUTH_SECRET is not set'),
    hs256Key,
    signingKeys: hs256 ? [] : signingKeys,
  };
}

/** `cookieSecure` from AUTH_COOKIE_SECURE or the code; production refuses `false`. */
function resolveCookieSecure(
  options: Readonly<AuthOptions>,
  env: AuthEnv,
  production: boolean,
): AuthConfig['cookieSecure'] {
  const fromEnv = env.cookieSecure !== undefined;
  const value =
    env.cookieSecure === undefined
      ? (options.cookieSecure ?? 'auto')
      : env.cookieSecure === 'auto'
        ? 'auto'
        : env.cookieSecure === 'true'
          ? true
          : env.cookieSecure === 'false'
            ? false
            : fail(`AUTH_COOKIE_SECURE must be auto, true or false (got "${env.cookieSecure}")`);
  if (production && value === false)
    fail(
      `${fromEnv ? 'AUTH_COOKIE_SECURE=false' : 'cookieSecure: false (src/auth.config.ts)'} is refused in production: the session cookies would travel over plain http. Remove it (the default, auto, makes them Secure in production) and serve the app over https`,
    );
  return value;
}

/** `cookiePrefix` from AUTH_COOKIE_PREFIX (`__Host-`, `__Secure-` or `none`) or the code. */
function resolveCookiePrefix(
  options: Readonly<AuthOptions>,
  env: AuthEnv,
  cookieSecure: AuthConfig['cookieSecure'],
): CookiePrefix {
  const raw = env.cookiePrefix === 'none' ? '' : env.cookiePrefix;
  if (raw !== undefined && !(COOKIE_PREFIXES as readonly string[]).includes(raw))
    fail(`AUTH_COOKIE_PREFIX must be __Host-, __Secure- or none (got "${env.cookiePrefix}")`);
  const prefix = (raw as CookiePrefix | undefined) ?? options.cookiePrefix ?? '';
  // Browsers drop a prefixed cookie that is not Secure: every sign-in would silently fail.
  if (prefix && cookieSecure === false)
    fail(
      `cookiePrefix "${prefix}" (AUTH_COOKIE_PREFIX) needs Secure cookies, but cookieSecure is false (AUTH_COOKIE_SECURE): browsers refuse a ${prefix} cookie without Secure. Remove AUTH_COOKIE_SECURE=false, or leave the prefix unset for plain-http development`,
    );
  return prefix;
}

/** The refresh and CSRF cookies' path: `/auth` by default, `/` under `__Host-` (the prefix demands it). */
function resolveRefreshCookiePath(options: Readonly<AuthOptions>, prefix: CookiePrefix): string {
  if (prefix !== '__Host-') return options.refreshCookiePath ?? '/auth';
  if (options.refreshCookiePath !== undefined && options.refreshCookiePath !== '/')
    fail(
      `refreshCookiePath "${options.refreshCookiePath}" cannot be used with cookiePrefix "__Host-": a __Host- cookie must have Path=/. Remove refreshCookiePath (the cookies then use /) or choose the "__Secure-" prefix`,
    );
  return '/';
}

function parseDurationOrThrow(value: unknown): number {
  const parsed = parseDurationSeconds(value);
  return parsed ?? fail(`invalid duration ${JSON.stringify(value)}`);
}

function parseThrottleOrFail(value: string) {
  try {
    return parseThrottle(value);
  } catch (error) {
    fail((error as Error).message);
  }
}
