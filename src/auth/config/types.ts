import type { JWK } from 'jose';
import type { Database, DatabaseSettings } from '@/db/types';
import type { User } from '@/db/schema';
import type { CookiePrefix } from '../cookies/names';
import type { AuthEventHook } from '../events';
import type { LogLevel } from '@/log';
import type { Duration } from './durations';
import type { ThrottleRule, ThrottleSettings } from './throttle';
import type { UserAttribute } from './user-fields';

export type { DjangoUserField, UserAttribute } from './user-fields';

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

/**
 * The password rules sign-up, password change and reset apply: the defaults are those of Django's
 * validators (MinimumLength, UserAttributeSimilarity, CommonPassword, NumericPassword).
 */
export interface PasswordRules {
  /** At least this many characters (Django's MinimumLengthValidator: 8). */
  minLength: number;
  /** At most this many characters: a bound on the hashing work one request can ask for. */
  maxLength: number;
  /** Refuse a password this similar (0.1–1) to the username or e-mail (Django's 0.7). */
  maxSimilarity: number;
  /** Refuse the well-known common passwords (Django's CommonPasswordValidator). */
  commonPasswords: boolean;
  /** Refuse a password made only of digits (Django's NumericPasswordValidator). */
  numeric: boolean;
}

/** How the kit sends mail (verification and password-reset links). */
export interface MailSettings {
  /** `smtp://` or `smtps://` with optional `user:pass@` (SMTP_URL only: it holds a password). */
  smtpUrl: string | null;
  /** The From header: `no-reply@example.com` or `Name <no-reply@example.com>`. */
  from: string;
  /** How long one delivery may take before it counts as failed. */
  timeoutSeconds: number;
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
  /** The app's public origin (`https://app.example.com`): mail links are built from it only. */
  appUrl?: string;
  /** Whether visitors may create accounts (POST /auth/sign-up/). */
  signUp?: boolean;
  /** Whether a forgotten password may be reset by a link sent by mail. */
  passwordReset?: boolean;
  /** Whether a new account must confirm its e-mail address before it can sign in. */
  requireEmailVerification?: boolean;
  emailVerificationLifetime?: Duration;
  passwordResetLifetime?: Duration;
  passwordRules?: Partial<PasswordRules>;
  mail?: { from?: string; timeout?: Duration };
  /** How recent a sign-in must be for a sensitive change (password, e-mail, second factors). */
  reauthMaxAge?: Duration;
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
  /** Every rule present (defaults filled in), or false when throttling is off. */
  throttle: ResolvedThrottle;
  clientAddressHeader: string | null;
  maxBodyBytes: number;
  onEvent: AuthEventHook | null;
  logLevel: LogLevel;
  /** The app's public origin, no trailing slash; null only in production when not set. */
  appUrl: string | null;
  signUp: boolean;
  passwordReset: boolean;
  requireEmailVerification: boolean;
  emailVerificationLifetimeSeconds: number;
  passwordResetLifetimeSeconds: number;
  passwordRules: PasswordRules;
  mail: MailSettings;
  reauthMaxAgeSeconds: number;
  /** The root of the cookie-signing, CSRF and session-cookie keys (never a JWT key). */
  secret: string;
  /** The HS256 signing key (AUTH_HS256_KEY), distinct from `secret`; null for other algorithms. */
  hs256Key: string | null;
  /** Private JWKs; the first signs, all verify and are published. */
  signingKeys: JWK[];
  database: DatabaseSettings;
}

export type { DatabaseSettings } from '@/db/types';

/** The throttle as the kit reads it: every rule present, or false when throttling is off. */
export type ResolvedThrottle =
  | { username: ThrottleRule; address: ThrottleRule; global: ThrottleRule; mail: ThrottleRule }
  | false;
