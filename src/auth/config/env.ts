/**
 * The only module that reads `process.env` (docs/contract.md section 5). Each value is a raw string;
 * validation happens in `define.ts`, which names the variable in its messages.
 */
export interface AuthEnv {
  nodeEnv: string;
  databaseUrl?: string;
  databaseDriver?: string;
  databaseTimeout?: string;
  secret?: string;
  hs256Key?: string;
  signingKeys?: string;
  algorithm?: string;
  issuer?: string;
  audience?: string;
  throttle?: string;
  trustedOrigins?: string;
  clientAddressHeader?: string;
  cookieSecure?: string;
  cookiePrefix?: string;
  logLevel?: string;
  cognitoRegion?: string;
  cognitoUserPoolId?: string;
  cognitoClientId?: string;
  cognitoDomain?: string;
  cognitoAuthority?: string;
  idpProvider?: string;
  idpIssuer?: string;
  idpJwksUrl?: string;
  idpClientId?: string;
  dataDir?: string;
  accessTokenLifetime?: string;
  refreshTokenLifetime?: string;
  sessionMaxLifetime?: string;
  reuseGraceWindow?: string;
  idTokenMaxAge?: string;
  leeway?: string;
  appUrl?: string;
  signUp?: string;
  passwordReset?: string;
  requireEmailVerification?: string;
  smtpUrl?: string;
  mailFrom?: string;
  mailTimeout?: string;
}

function read(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** Reads the kit's environment variables once; empty values count as unset. */
export function readAuthEnv(): AuthEnv {
  return {
    nodeEnv: process.env.NODE_ENV ?? 'development',
    databaseUrl: read('DATABASE_URL'),
    databaseDriver: read('DATABASE_DRIVER'),
    databaseTimeout: read('DATABASE_TIMEOUT'),
    secret: read('AUTH_SECRET'),
    hs256Key: read('AUTH_HS256_KEY'),
    signingKeys: read('AUTH_SIGNING_KEYS'),
    algorithm: read('AUTH_ALGORITHM'),
    issuer: read('AUTH_ISSUER'),
    audience: read('AUTH_AUDIENCE'),
    throttle: read('AUTH_THROTTLE'),
    trustedOrigins: read('AUTH_TRUSTED_ORIGINS'),
    clientAddressHeader: read('AUTH_CLIENT_ADDRESS_HEADER'),
    cookieSecure: read('AUTH_COOKIE_SECURE'),
    cookiePrefix: read('AUTH_COOKIE_PREFIX'),
    logLevel: read('AUTH_LOG_LEVEL'),
    cognitoRegion: read('COGNITO_REGION'),
    cognitoUserPoolId: read('COGNITO_USER_POOL_ID'),
    cognitoClientId: read('COGNITO_CLIENT_ID'),
    cognitoDomain: read('COGNITO_DOMAIN'),
    cognitoAuthority: read('COGNITO_AUTHORITY'),
    idpProvider: read('AUTH_IDP_PROVIDER'),
    idpIssuer: read('AUTH_IDP_ISSUER'),
    idpJwksUrl: read('AUTH_IDP_JWKS_URL'),
    idpClientId: read('AUTH_IDP_CLIENT_ID'),
    dataDir: read('AUTH_DATA_DIR'),
    accessTokenLifetime: read('AUTH_ACCESS_TOKEN_LIFETIME'),
    refreshTokenLifetime: read('AUTH_REFRESH_TOKEN_LIFETIME'),
    sessionMaxLifetime: read('AUTH_SESSION_MAX_LIFETIME'),
    reuseGraceWindow: read('AUTH_REUSE_GRACE_WINDOW'),
    idTokenMaxAge: read('AUTH_ID_TOKEN_MAX_AGE'),
    leeway: read('AUTH_LEEWAY'),
    appUrl: read('AUTH_APP_URL'),
    signUp: read('AUTH_SIGN_UP'),
    passwordReset: read('AUTH_PASSWORD_RESET'),
    requireEmailVerification: read('AUTH_REQUIRE_EMAIL_VERIFICATION'),
    smtpUrl: read('SMTP_URL'),
    mailFrom: read('MAIL_FROM'),
    mailTimeout: read('MAIL_TIMEOUT'),
  };
}
