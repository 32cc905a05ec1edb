'use client';

import { createContext } from 'react';
import type { AuthState } from './state';
import type { AuthClientErrorInfo } from './types';

/** What signIn and completeCognitoSignIn resolve to. */
export type SignInResult = { ok: true } | { ok: false; error: AuthClientErrorInfo };

/** Everything useAuth() returns. */
export type AuthContextValue = AuthState & {
  /** Signs in with username and password. */
  signIn(username: string, password: string): Promise<SignInResult>;
  /** Redirects to the Cognito hosted UI (PKCE S256); comes back to the callback page. */
  signInWithCognito(options?: { returnTo?: string }): Promise<void>;
  /** On the callback page: completes the code exchange, trades the IdP tokens for the kit's, and returns where to go. */
  completeCognitoSignIn(): Promise<
    { ok: true; returnTo: string } | { ok: false; error: AuthClientErrorInfo }
  >;
  /** Logs off this session (or every session), optionally ending the hosted-UI session too. */
  signOut(options?: { everywhere?: boolean; idp?: boolean }): Promise<void>;
  /** Refreshes now; resolves to the new access token or null when signed out. */
  refresh(): Promise<string | null>;
  /** fetch() with the Bearer token; refreshes once and retries on a 401. */
  authFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** The current access token (memory only), or null. */
  getAccessToken(): string | null;
  /** Whether the Cognito flow is configured. */
  cognitoEnabled: boolean;
};

/** The React context behind useAuth(). */
export const AuthContext = createContext<AuthContextValue | null>(null);
