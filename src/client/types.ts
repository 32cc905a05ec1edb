import type { AppAuth } from '@/auth.config';
import type { RegisteredAccessClaims } from '@/auth/tokens/types';

/** The IdP settings the browser needs, handed to <AuthProvider> at run time by the root layout. */
export interface ClientIdpSettings {
  provider: 'aws' | 'oidc';
  /** The OIDC authority of the PKCE flow (Cognito's issuer, or the local stand-in IdP). */
  authority: string;
  clientId: string;
  /** The Cognito hosted-UI domain, for its logout endpoint; null for generic OIDC. */
  domain: string | null;
}

/** The registered claims of the kit's access token (docs/contract.md section 4), as a page decodes them. */
export type AccessTokenClaimsJson = RegisteredAccessClaims;

/** What a value becomes on its way through JSON (the `user` member of the answers): dates are strings. */
export type Jsonified<T> = T extends Date
  ? string
  : T extends readonly (infer Item)[]
    ? Jsonified<Item>[]
    : T extends object
      ? { [K in keyof T]: Jsonified<T[K]> }
      : T;

/**
 * The user as the kit's answers and access-token claims describe it: the `user` member (typed
 * from the project's `serializeUser`) and `claims` (the custom claims typed from
 * `src/auth.config.ts`), so `user.first_name` and `user.claims.roles` need no cast.
 */
export type AuthUser = Jsonified<AppAuth['user']> & {
  id: number;
  username?: string;
  /** Every claim of the current access token (custom claims included). */
  claims: AccessTokenClaimsJson & AppAuth['claims'] & Record<string, unknown>;
  [member: string]: unknown;
};

/** An error in the auth state, with where it came from and the contract's code. */
export interface AuthClientErrorInfo {
  source:
    | 'sign-in'
    | 'refresh'
    | 'sign-out'
    | 'cognito'
    | 'fetch'
    | 'sign-up'
    | 'email'
    | 'password'
    | 'account'
    | 'sessions'
    | 'mfa'
    | 'passkeys';
  code: string;
  detail: string;
  status: number;
  /** Seconds to wait, for `throttled` and `service_unavailable` (the `Retry-After` header). */
  retryAfter?: number;
  /** Field errors of a 400 (`errors.<field>` of the answer), e.g. `{ password: ['This password is too common.'] }`. */
  errors?: Record<string, string[]>;
}

/** The body of a sign-in, social-exchange or refresh answer. */
export interface TokenAnswer {
  access_token: string;
  expires: number;
  CSRF_token: string;
  user?: Record<string, unknown>;
}

/** What `POST /auth/sign-up/` takes (docs/contract.md section 8). */
export interface SignUpFields {
  username: string;
  email: string;
  password: string;
  first_name?: string;
  last_name?: string;
}

/** The body of `GET /auth/account/`: the user, and what the account can sign in with. */
export interface AccountInfo {
  user: Record<string, unknown> | null;
  email_verified: boolean;
  has_password: boolean;
  identities: { provider: string; email: string | null }[];
  mfa: { totp: boolean; passkeys: number; recovery_codes_left: number };
}

/** One live session in `GET /auth/sessions/` (dates are ISO 8601 strings). */
export interface SessionInfo {
  sid: string;
  created: string;
  last_used: string;
  user_agent: string | null;
  /** Whether it is the session of the browser that asked. */
  current: boolean;
}

/** One passkey in `GET /auth/passkeys/` (dates are ISO 8601 strings; `last_used` null until first used). */
export interface PasskeyInfo {
  id: string;
  name: string;
  created: string;
  last_used: string | null;
}

/** What confirms it is still the user (`POST /auth/reauthenticate/`): the password, a TOTP code, or a passkey. */
export type Reauthentication = { password: string } | { code: string } | { passkey: true };
