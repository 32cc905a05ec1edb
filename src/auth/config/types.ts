import type { JWK } from 'jose';
import type { Database, DatabaseSettings } from '@/db/types';
import type { User } from '@/db/schema';
import type { CookiePrefix } from '../cookies/names';
import type { AuthEventHook } from '../events';
import type { LogLevel } from '@/log';
import type { Duration } from './durations';
import type { ThrottleSettings } from './throttle';

/** A value a custom claim may hold: anything JSON can carry. */
export type ClaimValue =
  string | number | boolean | null | ClaimValue[] | { [key: string]: ClaimValue };

/** What a claim getter may use besides the user: the kit's database (to read the user's groups). */
export interface ClaimContext {
  db: Database;
}

/** A claim computed from the user (the seed's CUSTOM_TOKEN_CALLABLE_ATTRIBUTES). */
export interface CustomTokenClaim {
  attrName: string;
  attrGetter: (
    user: User,
    context: ClaimContext,
  ) => ClaimValue | undefined | Promise<ClaimValue | undefined>;
}

/** Django's spelling of the user fields, accepted as well as the camelCase row names. */
export type DjangoUserField =
  | 'first_name'
  | 'last_name'
  | 'is_active'
  | 'is_staff'
  | 'is_superuser'
  | 'date_joined'
  | 'last_login';

/**
 * The user attributes that may be copied into tokens (CUSTOM_TOKEN_USER_ATTRIBUTES); the claim
 * is named as written, so `'is_staff'` gives an `is_staff` claim as in the seed.
 */
export type UserAttribute = Exclude<keyof User, 'password'> | DjangoUserField;

/** Signing algorithms the kit supports for its own tokens. */
export const ALGORITHMS = ['ES256', 'RS256', 'EdDSA', 'HS256'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

/** Which identity provider the social exchange trusts. */
export interface IdpSettings {
  provider: 'aws' | 'oidc';
  region: string | null;
  userPoolId: string | null;
  clientId: string | null;
  /** The hosted-UI domain (Cognito), used by the client for the logout endpoint. */
  domain: string | null;
  /** The OIDC authority the browser's PKCE flow uses. */
  authority: string | null;
  /** The issuer to trust (derived from region and pool for Cognito). */
  issuer: string | null;
  /** Load the IdP's JWKS from this URL instead of the issuer's well-known one. */
  jwksUrl: string | null;
}

/** What a template user writes in `src/auth.config.ts` (every member optional). */
export interface AuthOptions {
  refreshCookieName?: string;
  refreshCookiePath?: string;
  csrfCookieName?: string;
  sessionCookieName?: string;
  cookieSalt?: string;
  /** `'auto'`: Secure except in development on plain http. */
  cookieSecure?: 'auto' | boolean;
  /**
   * Prefixes every auth cookie's name. `'__Host-'`: the cookies cannot be set by another host (a
   * sibling subdomain) and move to `Path=/`; `'__Secure-'`: only over https. Both force `Secure`.
   */
  cookiePrefix?: CookiePrefix;
  idp?: Partial<IdpSettings>;
  customTokenUserAttributes?: UserAttribute[];
  customTokenClaims?: CustomTokenClaim[];
  serializeUser?: ((user: User) => Record<string, unknown>) | null;
  accessTokenLifetime?: Duration;
  refreshTokenLifetime?: Duration;
  rotateRefreshTokens?: boolean;
  blacklistAfterRotation?: boolean;
  algorithm?: Algorithm;
  leeway?: Duration;
  audience?: string | null;
  issuer?: string | null;
  sessionMaxLifetime?: Duration;
  reuseGraceWindow?: Duration;
  idTokenMaxAge?: Duration;
  trustedOrigins?: string[];
  throttle?: ThrottleSettings;
  /** The request header that carries the client address behind a proxy; null: none trusted. */
  clientAddressHeader?: string | null;
  maxBodyBytes?: number;
  onEvent?: AuthEventHook | null;
}

/** The validated, frozen configuration every part of the kit reads. */
export interface AuthConfig {
  production: boolean;
  refreshCookieName: string;
  refreshCookiePath: string;
  csrfCookieName: string;
  sessionCookieName: string;
  cookieSalt: string;
  cookieSecure: 'auto' | boolean;
  cookiePrefix: CookiePrefix;
  idp: IdpSettings;
  customTokenUserAttributes: UserAttribute[];
  customTokenClaims: CustomTokenClaim[];
  serializeUser: ((user: User) => Record<string, unknown>) | null;
  accessTokenLifetimeSeconds: number;
  refreshTokenLifetimeSeconds: number;
  rotateRefreshTokens: boolean;
  blacklistAfterRotation: boolean;
  algorithm: Algorithm;
  leewaySeconds: number;
  audience: string | null;
  issuer: string | null;
  sessionMaxLifetimeSeconds: number;
  reuseGraceWindowSeconds: number;
  idTokenMaxAgeSeconds: number;
  trustedOrigins: string[];
  throttle: ThrottleSettings;
  clientAddressHeader: string | null;
  maxBodyBytes: number;
  onEvent: AuthEventHook | null;
  logLevel: LogLevel;
  /** The root of the cookie-signing, CSRF and session-cookie keys (never a JWT key). */
  secret: string;
  /** The HS256 signing key (AUTH_HS256_KEY), distinct from `secret`; null for other algorithms. */
  hs256Key: string | null;
  /** Private JWKs; the first signs, all verify and are published. */
  signingKeys: JWK[];
  database: DatabaseSettings;
}

export type { DatabaseSettings } from '@/db/types';
