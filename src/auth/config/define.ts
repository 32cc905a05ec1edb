import { z } from 'zod';
import { COOKIE_PREFIXES } from '../cookies/names';
import { MAX_PASSWORD_LENGTH } from '../passwords/encoding';
import { ConfigError, describeIssues } from './errors';
import { USER_ATTRIBUTES } from './user-fields';
import { ALGORITHMS, type AuthOptions } from './types';
import { duration, mailAddress, oneOf, origin, userPoolId } from './values';

export { ConfigError } from './errors';
export { USER_ATTRIBUTES } from './user-fields';

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

/** The settings in code that are durations: defineAuthConfig turns each into seconds. */
export const DURATION_OPTIONS = [
  'accessTokenLifetime',
  'refreshTokenLifetime',
  'leeway',
  'sessionMaxLifetime',
  'reuseGraceWindow',
  'idTokenMaxAge',
  'emailVerificationLifetime',
  'passwordResetLifetime',
  'reauthMaxAge',
] as const satisfies readonly (keyof AuthOptions)[];
type DurationOption = (typeof DURATION_OPTIONS)[number];

/**
 * The options as {@link defineAuthConfig} returns them: as written, except that every duration is
 * a number of seconds (`'5m'` → `300`), so nothing parses them again.
 */
export type DefinedOptions<Options extends AuthOptions = AuthOptions> = {
  readonly [K in keyof Options]: K extends DurationOption
    ? number
    : K extends 'mail'
      ? Readonly<{ from?: string; timeout?: number }>
      : Options[K];
};

const cookieName = z.string().regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, 'must be a cookie token');
const rule = z.object({
  limit: z.number().int().positive(),
  windowSeconds: z.number().int().positive(),
});
const nullableText = z.string().min(1).nullable();

const passwordRules = z
  .object({
    minLength: z.number().int().min(1).max(MAX_PASSWORD_LENGTH),
    maxLength: z.number().int().min(1).max(MAX_PASSWORD_LENGTH),
    maxSimilarity: z.number().min(0.1).max(1),
    commonPasswords: z.boolean(),
    numeric: z.boolean(),
  })
  .partial()
  .strict()
  .superRefine(({ minLength = 8, maxLength = MAX_PASSWORD_LENGTH }, ctx) => {
    if (minLength > maxLength)
      ctx.addIssue({
        code: 'custom',
        path: ['minLength'],
        message: `must not exceed maxLength (${minLength} > ${maxLength})`,
      });
  });

/** The schema of {@link AuthOptions}; durations come out as seconds. */
export const optionsSchema = z
  .object({
    refreshCookieName: cookieName,
    refreshCookiePath: z.string().startsWith('/', 'must start with "/"'),
    csrfCookieName: cookieName,
    sessionCookieName: cookieName,
    cookieSalt: z.string(),
    cookieSecure: z.union([z.literal('auto'), z.boolean()]),
    cookiePrefix: z.enum(COOKIE_PREFIXES),
    idp: z
      .object({
        provider: oneOf(['aws', 'oidc'], '"aws" or "oidc"'),
        region: nullableText,
        userPoolId: userPoolId.nullable(),
        clientId: nullableText,
        domain: nullableText,
        authority: nullableText,
        issuer: nullableText,
        jwksUrl: nullableText,
      })
      .partial()
      .strict(),
    customTokenUserAttributes: z.array(
      z.string().refine((name) => (USER_ATTRIBUTES as readonly string[]).includes(name), {
        error: (issue) =>
          `"${String(issue.input)}" is not a user attribute (use one of ${USER_ATTRIBUTES.join(', ')})`,
      }),
    ),
    customTokenClaims: z.array(z.object({ attrName: z.string().min(1), attrGetter: z.function() })),
    serializeUser: z.function().nullable(),
    accessTokenLifetime: duration({ min: 1 }),
    refreshTokenLifetime: duration({ min: 1 }),
    rotateRefreshTokens: z.boolean(),
    blacklistAfterRotation: z.boolean(),
    algorithm: z.enum(ALGORITHMS),
    leeway: duration({ max: 300 }),
    audience: nullableText,
    issuer: nullableText,
    sessionMaxLifetime: duration({ min: 1 }),
    reuseGraceWindow: duration({ max: 60 }),
    idTokenMaxAge: duration({ min: 1 }),
    trustedOrigins: z.array(origin),
    throttle: z.union([
      z.literal(false),
      z.object({ username: rule, address: rule, global: rule.optional(), mail: rule.optional() }),
    ]),
    clientAddressHeader: nullableText,
    maxBodyBytes: z.number().int().min(256).max(1_048_576),
    onEvent: z.function().nullable(),
    appUrl: origin,
    signUp: z.boolean(),
    passwordReset: z.boolean(),
    requireEmailVerification: z.boolean(),
    emailVerificationLifetime: duration({ min: 1 }),
    passwordResetLifetime: duration({ min: 1 }),
    passwordRules,
    mail: z
      .object({ from: mailAddress, timeout: duration({ min: 1, max: 300 }) })
      .partial()
      .strict(),
    reauthMaxAge: duration({ min: 1 }),
  })
  .partial()
  .strict()
  .superRefine((options, ctx) => {
    const claims: [string, PropertyKey[]][] = [
      ...(options.customTokenUserAttributes ?? []).map((name, i): [string, PropertyKey[]] => [
        name,
        ['customTokenUserAttributes', i],
      ]),
      ...(options.customTokenClaims ?? []).map((claim, i): [string, PropertyKey[]] => [
        claim.attrName,
        ['customTokenClaims', i, 'attrName'],
      ]),
    ];
    for (const [name, path] of claims)
      if ((REGISTERED_CLAIMS as readonly string[]).includes(name))
        ctx.addIssue({
          code: 'custom',
          path,
          message: `the custom claim "${name}" would overwrite a registered claim; rename it`,
        });
  });

/** `idp.userPoolId`, `customTokenClaims[0].attrName`: a setting as the user writes it in code. */
export function optionName(path: readonly PropertyKey[]): string {
  return (
    path
      .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i ? '.' : ''}${String(part)}`))
      .join('') || 'config'
  );
}

const defined = new WeakSet<object>();

/** True when `options` came from {@link defineAuthConfig} (validated, durations in seconds). */
export function isDefined(options: AuthOptions): options is DefinedOptions {
  return defined.has(options);
}

/**
 * Validates the template user's options once, turns every duration into seconds and freezes the
 * result; call it in `src/auth.config.ts`. The options keep their literal types, so
 * `InferAuthTypes` (infer.ts) can derive the user's and the custom claims' types from them.
 * @throws ConfigError naming every bad setting.
 * @example export default defineAuthConfig({ customTokenUserAttributes: ['is_staff'] });
 */
export function defineAuthConfig<const Options extends AuthOptions = AuthOptions>(
  options: Options = {} as Options,
): DefinedOptions<AuthOptions & Options> {
  if (isDefined(options)) return options as DefinedOptions<AuthOptions & Options>;
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success)
    throw new ConfigError(
      `Invalid auth configuration:\n${describeIssues(parsed.error, optionName)}`,
    );
  // The options as written (functions keep their identity), with the parsed durations.
  const result: Record<string, unknown> = { ...(options as Record<string, unknown>) };
  for (const name of DURATION_OPTIONS)
    if (parsed.data[name] !== undefined) result[name] = parsed.data[name];
  if (parsed.data.mail) result.mail = Object.freeze({ ...options.mail, ...parsed.data.mail });
  const frozen = Object.freeze(result) as DefinedOptions<AuthOptions & Options>;
  defined.add(frozen);
  return frozen;
}
