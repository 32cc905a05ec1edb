/** The IdP settings the browser needs, handed to <AuthProvider> at run time by the root layout. */
export interface ClientIdpSettings {
  provider: 'aws' | 'oidc';
  /** The OIDC authority of the PKCE flow (Cognito's issuer, or the local stand-in IdP). */
  authority: string;
  clientId: string;
  /** The Cognito hosted-UI domain, for its logout endpoint; null for generic OIDC. */
  domain: string | null;
}

/** The user as the kit's answers and access-token claims describe it. */
export interface AuthUser {
  id: number;
  username?: string;
  email?: string;
  first_name?: string;
  last_name?: string;
  /** Every claim of the current access token (custom claims included). */
  claims: Record<string, unknown>;
  [member: string]: unknown;
}

/** An error in the auth state, with where it came from and the contract's code. */
export interface AuthClientErrorInfo {
  source: 'sign-in' | 'refresh' | 'sign-out' | 'cognito' | 'fetch';
  code: string;
  detail: string;
  status: number;
  /** Seconds to wait, for `throttled`. */
  retryAfter?: number;
}

/** The body of a sign-in, social-exchange or refresh answer. */
export interface TokenAnswer {
  access_token: string;
  expires: number;
  CSRF_token: string;
  user?: Record<string, unknown>;
}
