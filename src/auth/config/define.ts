import { z } from 'zod';
import { COOKIE_PREFIXES } from '../cookies/names';
import { ALGORITHMS, type AuthOptions } from './types';
import { parseDurationSeconds } from './durations';

/** Claims the kit sets; a custom claim may not overwrite one (docs/contract.md section 5). */
export const REGISTERED_CLAIMS = [
  'exp',
  'iat',
  'jti',
  'token_type',
  'user_id',
  'sub',
  'sid',
  'iss',
  'aud',
  'nbf',
  'auth_time',
  'amr',
] as const;

/** The attribute names customTokenUserAttributes accepts (the password hash never). */
export const USER_ATTRIBUTES: readonly string[] = [
  'id',
  'username',
  'email',
  'firstName',
  'lastName',
  'isActive',
  'isStaff',
  'isSuperuser',
  'dateJoined',
  'lastLogin',
  'first_name',
  'last_name',
  'is_active',
  'is_staff',
  'is_superuser',
  'date_joined',
  'last_login',
];

/** A configuration value that cannot be used; the message names the setting and the fix. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const duration = (name: string, { min = 0, max = Infinity } = {}) =>
  z.unknown().transform((value, ctx) => {
    const seconds = parseDurationSeconds(value);
    if (seconds === null || seconds < min || seconds > max) {
      const range = max === Infinity ? `at least ${min}s` : `between ${min}s and ${max}s`;
      ctx.addIssue({
        code: 'custom',
        message: `${name} must be a duration such as 300 or "5m", ${range} (got ${JSON.stringify(value)})`,
      });
      return z.NEVER;
    }
    return seconds;
  });

const cookieName = z.string().regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, 'must be a cookie token');
const rule = z.object({
  limit: z.number().int().positive(),
  windowSeconds: z.number().int().positive(),
});

/** The schema of {@link AuthOptions}; durations come out as seconds. */
export const optionsSchema = z
  .object({
    refreshCookieName: cookieName.optional(),
    refreshCookiePath: z.string().startsWith('/', 'must start with "/"').optional(),
    csrfCookieName: cookieName.optional(),
    sessionCookieName: cookieName.optional(),
    cookieSalt: z.string().optional(),
    cookieSecure: z.union([z.literal('auto'), z.boolean()]).optional(),
    cookiePrefix: z.enum(COOKIE_PREFIXES).optional(),
    idp: z.record(z.string(), z.unknown()).optional(),
    customTokenUserAttributes: z.array(z.string()).optional(),
    customTokenClaims: z
      .array(z.object({ attrName: z.string().min(1), attrGetter: z.function() }))
      .optional(),
    serializeUser: z.function().nullable().optional(),
    accessTokenLifetime: duration('accessTokenLifetime', { min: 1 }).optional(),
    refreshTokenLifetime: duration('refreshTokenLifetime', { min: 1 }).optional(),
    rotateRefreshTokens: z.boolean().optional(),
    blacklistAfterRotation: z.boolean().optional(),
    algorithm: z.enum(ALGORITHMS).optional(),
    leeway: duration('leeway', { max: 300 }).optional(),
    audience: z.string().min(1).nullable().optional(),
    issuer: z.string().min(1).nullable().optional(),
    sessionMaxLifetime: duration('sessionMaxLifetime', { min: 1 }).optional(),
    reuseGraceWindow: duration('reuseGraceWindow', { max: 60 }).optional(),
    idTokenMaxAge: duration('idTokenMaxAge', { min: 1 }).optional(),
    trustedOrigins: z.array(z.url()).optional(),
    throttle: z
      .union([
        z.literal(false),
        z.object({
          username: rule,
          address: rule,
          global: rule.optional(),
          mail: rule.optional(),
        }),
      ])
      .optional(),
    clientAddressHeader: z.string().min(1).nullable().optional(),
    maxBodyBytes: z.number().int().min(256).max(1_048_576).optional(),
    onEvent: z.function().nullable().optional(),
    // Stand-in for the accounts settings (helper H2 adds them with their validation).
    appUrl: z.url().optional(),
    signUp: z.boolean().optional(),
    passwordReset: z.boolean().optional(),
    requireEmailVerification: z.boolean().optional(),
    emailVerificationLifetime: duration('emailVerificationLifetime', { min: 1 }).optional(),
    passwordResetLifetime: duration('passwordResetLifetime', { min: 1 }).optional(),
    passwordRules: z.record(z.string(), z.unknown()).optional(),
    mail: z.object({ from: z.string().optional(), timeout: z.unknown().optional() }).optional(),
    reauthMaxAge: duration('reauthMaxAge', { min: 1 }).optional(),
  })
  .strict();

/** Formats zod issues as one line per setting: `name: problem`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.join('.');
      return issue.message.startsWith(path)
        ? issue.message
        : `${path || 'config'}: ${issue.message}`;
    })
    .join('\n');
}

/**
 * Validates the template user's options and freezes them; call it in `src/auth.config.ts`. The
 * options keep their literal types, so `InferAuthTypes` (infer.ts) can derive the user's and the
 * custom claims' types from them.
 * @throws ConfigError naming every bad setting.
 * @example export default defineAuthConfig({ customTokenUserAttributes: ['is_staff'] });
 */
export function defineAuthConfig<const Options extends AuthOptions = AuthOptions>(
  options: Options = {} as Options,
): Readonly<AuthOptions & Options> {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success)
    throw new ConfigError(`Invalid auth configuration:\n${describeIssues(parsed.error)}`);
  const claimNames = [
    ...(options.customTokenUserAttributes ?? []),
    ...(options.customTokenClaims ?? []).map((c) => c.attrName),
  ];
  for (const name of options.customTokenUserAttributes ?? []) {
    if (!USER_ATTRIBUTES.includes(name)) {
      throw new ConfigError(
        `Invalid auth configuration: customTokenUserAttributes: "${name}" is not a user attribute (use one of ${USER_ATTRIBUTES.join(', ')})`,
      );
    }
  }
  for (const name of claimNames) {
    if ((REGISTERED_CLAIMS as readonly string[]).includes(name)) {
      throw new ConfigError(
        `Invalid auth configuration: the custom claim "${name}" would overwrite a registered claim; rename it`,
      );
    }
  }
  return Object.freeze({ ...options });
}
