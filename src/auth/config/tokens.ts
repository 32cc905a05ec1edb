import type { DefinedOptions } from './define';
import type { ParsedEnv } from './env-schema';
import type { AuthConfig } from './types';

/** simplejwt's and the seed's defaults, in seconds. */
export const TOKEN_DEFAULTS = {
  accessTokenLifetimeSeconds: 300,
  refreshTokenLifetimeSeconds: 86_400,
  leewaySeconds: 0,
  sessionMaxLifetimeSeconds: 30 * 86_400,
  reuseGraceWindowSeconds: 10,
  idTokenMaxAgeSeconds: 3600,
} as const;

type TokenSettings = Pick<
  AuthConfig,
  | 'customTokenUserAttributes'
  | 'customTokenClaims'
  | 'serializeUser'
  | 'accessTokenLifetimeSeconds'
  | 'refreshTokenLifetimeSeconds'
  | 'rotateRefreshTokens'
  | 'blacklistAfterRotation'
  | 'leewaySeconds'
  | 'audience'
  | 'issuer'
  | 'sessionMaxLifetimeSeconds'
  | 'reuseGraceWindowSeconds'
  | 'idTokenMaxAgeSeconds'
>;

/**
 * What goes into the tokens and how long they and the session live. The lifetimes set in the
 * environment win over the code's, so operators can tune them per deployment.
 */
export function resolveTokens(options: DefinedOptions, env: ParsedEnv): TokenSettings {
  return {
    customTokenUserAttributes: [...(options.customTokenUserAttributes ?? [])],
    customTokenClaims: [...(options.customTokenClaims ?? [])],
    serializeUser: options.serializeUser ?? null,
    accessTokenLifetimeSeconds:
      env.accessTokenLifetime ??
      options.accessTokenLifetime ??
      TOKEN_DEFAULTS.accessTokenLifetimeSeconds,
    refreshTokenLifetimeSeconds:
      env.refreshTokenLifetime ??
      options.refreshTokenLifetime ??
      TOKEN_DEFAULTS.refreshTokenLifetimeSeconds,
    rotateRefreshTokens: options.rotateRefreshTokens ?? true,
    blacklistAfterRotation: options.blacklistAfterRotation ?? true,
    leewaySeconds: env.leeway ?? options.leeway ?? TOKEN_DEFAULTS.leewaySeconds,
    audience: env.audience ?? options.audience ?? null,
    issuer: env.issuer ?? options.issuer ?? null,
    sessionMaxLifetimeSeconds:
      env.sessionMaxLifetime ??
      options.sessionMaxLifetime ??
      TOKEN_DEFAULTS.sessionMaxLifetimeSeconds,
    reuseGraceWindowSeconds:
      env.reuseGraceWindow ?? options.reuseGraceWindow ?? TOKEN_DEFAULTS.reuseGraceWindowSeconds,
    idTokenMaxAgeSeconds:
      env.idTokenMaxAge ?? options.idTokenMaxAge ?? TOKEN_DEFAULTS.idTokenMaxAgeSeconds,
  };
}
