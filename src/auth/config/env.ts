/**
 * The only module that reads `process.env` (docs/configuration.md). Each value is a raw string;
 * `env-schema.ts` validates them all in one pass and names the variable in every message.
 */

/** Every environment variable the kit reads, by the key it has in {@link AuthEnv}. */
export const ENV_VARIABLES = {
  databaseUrl: 'DATABASE_URL',
  databaseDriver: 'DATABASE_DRIVER',
  databaseTimeout: 'DATABASE_TIMEOUT',
  secret: 'AUTH_SECRET',
  hs256Key: 'AUTH_HS256_KEY',
  signingKeys: 'AUTH_SIGNING_KEYS',
  algorithm: 'AUTH_ALGORITHM',
  issuer: 'AUTH_ISSUER',
  audience: 'AUTH_AUDIENCE',
  throttle: 'AUTH_THROTTLE',
  trustedOrigins: 'AUTH_TRUSTED_ORIGINS',
  clientAddressHeader: 'AUTH_CLIENT_ADDRESS_HEADER',
  cookieSecure: 'AUTH_COOKIE_SECURE',
  cookiePrefix: 'AUTH_COOKIE_PREFIX',
  logLevel: 'AUTH_LOG_LEVEL',
  cognitoRegion: 'COGNITO_REGION',
  cognitoUserPoolId: 'COGNITO_USER_POOL_ID',
  cognitoClientId: 'COGNITO_CLIENT_ID',
  cognitoDomain: 'COGNITO_DOMAIN',
  cognitoAuthority: 'COGNITO_AUTHORITY',
  idpProvider: 'AUTH_IDP_PROVIDER',
  idpIssuer: 'AUTH_IDP_ISSUER',
  idpJwksUrl: 'AUTH_IDP_JWKS_URL',
  idpClientId: 'AUTH_IDP_CLIENT_ID',
  dataDir: 'AUTH_DATA_DIR',
  accessTokenLifetime: 'AUTH_ACCESS_TOKEN_LIFETIME',
  refreshTokenLifetime: 'AUTH_REFRESH_TOKEN_LIFETIME',
  sessionMaxLifetime: 'AUTH_SESSION_MAX_LIFETIME',
  reuseGraceWindow: 'AUTH_REUSE_GRACE_WINDOW',
  idTokenMaxAge: 'AUTH_ID_TOKEN_MAX_AGE',
  leeway: 'AUTH_LEEWAY',
  port: 'PORT',
  appUrl: 'AUTH_APP_URL',
  signUp: 'AUTH_SIGN_UP',
  passwordReset: 'AUTH_PASSWORD_RESET',
  requireEmailVerification: 'AUTH_REQUIRE_EMAIL_VERIFICATION',
  emailVerificationLifetime: 'AUTH_EMAIL_VERIFICATION_LIFETIME',
  passwordResetLifetime: 'AUTH_PASSWORD_RESET_LIFETIME',
  smtpUrl: 'SMTP_URL',
  mailFrom: 'MAIL_FROM',
  mailTimeout: 'MAIL_TIMEOUT',
  reauthMaxAge: 'AUTH_REAUTH_MAX_AGE',
} as const;

export type EnvKey = keyof typeof ENV_VARIABLES;

/** The kit's environment as read: `NODE_ENV`, and each variable's trimmed text when it is set. */
export type AuthEnv = { nodeEnv: string } & { [K in EnvKey]?: string };

function read(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** Reads the kit's environment variables once; empty values count as unset. */
export function readAuthEnv(): AuthEnv {
  const env: AuthEnv = { nodeEnv: process.env.NODE_ENV ?? 'development' };
  for (const [key, name] of Object.entries(ENV_VARIABLES) as [EnvKey, string][]) {
    const value = read(name);
    if (value !== undefined) env[key] = value;
  }
  return env;
}
