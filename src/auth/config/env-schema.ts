import { z } from 'zod';
import { LOG_LEVELS } from '@/log';
import { ENV_VARIABLES, type AuthEnv, type EnvKey } from './env';
import { ConfigError, describeIssues } from './errors';
import { signingKeySet } from './signing-keys';
import { parseThrottle } from './throttle';
import { ALGORITHMS } from './types';
import {
  duration,
  envBoolean,
  mailAddress,
  oneOf,
  origin,
  originList,
  port,
  postgresUrl,
  smtpUrl,
  userPoolId,
} from './values';

const text = z.string();

const throttle = z.string().transform((value, ctx) => {
  try {
    return parseThrottle(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

/**
 * The one schema of the kit's environment: every variable's text in, typed values out (durations
 * in seconds, switches as booleans, the signing keys as JWKs). Rules that join several settings
 * (production's requirements, a prefix that needs Secure cookies) live with their concern.
 */
export const envSchema = z
  .object({
    databaseUrl: postgresUrl,
    databaseDriver: oneOf(['pglite', 'neon', 'pg'], 'pglite, neon or pg'),
    databaseTimeout: duration({ min: 0.1, max: 600 }),
    secret: text,
    hs256Key: text,
    signingKeys: signingKeySet,
    algorithm: oneOf(ALGORITHMS, `one of ${ALGORITHMS.join(', ')}`),
    issuer: text,
    audience: text,
    throttle,
    trustedOrigins: originList,
    clientAddressHeader: text.transform((name) => name.toLowerCase()),
    cookieSecure: oneOf(['auto', 'true', 'false'], 'auto, true or false').transform((value) =>
      value === 'auto' ? ('auto' as const) : value === 'true',
    ),
    cookiePrefix: oneOf(['__Host-', '__Secure-', 'none'], '__Host-, __Secure- or none').transform(
      (value) => (value === 'none' ? ('' as const) : value),
    ),
    logLevel: oneOf(LOG_LEVELS, `one of ${LOG_LEVELS.join(', ')}`),
    cognitoRegion: text,
    cognitoUserPoolId: userPoolId,
    cognitoClientId: text,
    cognitoDomain: text,
    cognitoAuthority: text,
    idpProvider: oneOf(['aws', 'oidc'], 'aws or oidc'),
    idpIssuer: text,
    idpJwksUrl: text,
    idpClientId: text,
    dataDir: text,
    accessTokenLifetime: duration({ min: 1 }),
    refreshTokenLifetime: duration({ min: 1 }),
    sessionMaxLifetime: duration({ min: 1 }),
    reuseGraceWindow: duration({ max: 60 }),
    idTokenMaxAge: duration({ min: 1 }),
    leeway: duration({ max: 300 }),
    port,
    appUrl: origin,
    signUp: envBoolean,
    passwordReset: envBoolean,
    requireEmailVerification: envBoolean,
    emailVerificationLifetime: duration({ min: 1 }),
    passwordResetLifetime: duration({ min: 1 }),
    smtpUrl,
    mailFrom: mailAddress,
    mailTimeout: duration({ min: 1, max: 300 }),
    reauthMaxAge: duration({ min: 1 }),
  } satisfies Record<EnvKey, z.ZodType>)
  .partial()
  .extend({ nodeEnv: text });

/** The environment after {@link envSchema}: what each concern's resolver reads. */
export type ParsedEnv = z.output<typeof envSchema>;

/** The environment variable an issue's path points into (`signingKeys` → `AUTH_SIGNING_KEYS`). */
function variableName(path: readonly PropertyKey[]): string {
  const key = path[0];
  return key === 'nodeEnv'
    ? 'NODE_ENV'
    : (ENV_VARIABLES[key as EnvKey] ?? String(key ?? 'environment'));
}

/**
 * Validates every variable at once.
 * @throws ConfigError with one line per bad variable, each naming it: `AUTH_ACCESS_TOKEN_LIFETIME
 * must be a duration such as 300 or "5m", at least 1s (got "5x")`.
 */
export function parseAuthEnv(env: AuthEnv): ParsedEnv {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error, variableName));
  return parsed.data;
}

/** Validates only the variables a caller reads (the IdP settings the browser needs). */
export function parseAuthEnvPart<const Keys extends EnvKey>(
  env: AuthEnv,
  keys: readonly Keys[],
): Pick<ParsedEnv, Keys> {
  const mask = Object.fromEntries(keys.map((key) => [key, true]));
  const parsed = envSchema.pick(mask as never).safeParse(env);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error, variableName));
  return parsed.data as unknown as Pick<ParsedEnv, Keys>;
}
