'use client';

import { createContext } from 'react';
import type { SecondFactorMembers, SecondFactorNeeded } from './mfa';
import type { AuthState } from './state';
import type {
  AccountInfo,
  AuthClientErrorInfo,
  PasskeyInfo,
  Reauthentication,
  SessionInfo,
  SignUpFields,
} from './types';

/** What signIn and completeCognitoSignIn resolve to. */
export type SignInResult = { ok: true } | { ok: false; error: AuthClientErrorInfo };

/** What the account calls resolve to: the answer, or the error (never thrown). */
export type AuthResult<T> = { ok: true; value: T } | { ok: false; error: AuthClientErrorInfo };

/** What signUp resolves to: signed in at once (201), or a mail to confirm the address (202). */
export type SignUpResult =
  | { ok: true; signedIn: true }
  | { ok: true; signedIn: false; detail: string }
  | { ok: false; error: AuthClientErrorInfo };

/** Everything useAuth() returns. */
export type AuthContextValue = AuthState & {
  /**
   * Signs in with username and password. For a user with a second factor the answer is
   * `{ ok: false, mfaRequired: true, methods }`: finish with verifySecondFactor().
   */
  signIn(username: string, password: string): Promise<SignInResult | SecondFactorNeeded>;
  /** Redirects to the Cognito hosted UI (PKCE S256); comes back to the callback page. */
  signInWithCognito(options?: { returnTo?: string }): Promise<void>;
  /** On the callback page: completes the code exchange, trades the IdP tokens for the kit's, and returns where to go. */
  completeCognitoSignIn(): Promise<
    | { ok: true; returnTo: string }
    | { ok: false; error: AuthClientErrorInfo }
    | (SecondFactorNeeded & { returnTo: string })
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

  /** Takes a sign-in answer that another call received (a custom endpoint) into the state, as signIn does. */
  adopt(body: unknown): SignInResult;
  /** Creates an account: signed in at once (201) or "check your inbox" (202). */
  signUp(fields: SignUpFields): Promise<SignUpResult>;
  /** Uses the token of a verification or e-mail-change link: the address is verified and the user signed in. */
  verifyEmail(token: string): Promise<SignInResult>;
  /** Mails a new verification link when an unverified account has `email` (the answer never says). */
  resendVerification(email: string): Promise<AuthResult<{ detail: string }>>;
  /** Mails a password-reset link when an account has `email` (the answer never says). */
  requestPasswordReset(email: string): Promise<AuthResult<{ detail: string }>>;
  /** Sets a new password with the token of a reset link; every session of that user ends. */
  resetPassword(token: string, password: string): Promise<AuthResult<{ detail: string }>>;
  /** Changes the signed-in user's password and takes the new tokens; every other session ends. */
  changePassword(currentPassword: string, newPassword: string): Promise<SignInResult>;
  /** Asks to move the account to `newEmail`: a confirmation link goes there. */
  changeEmail(newEmail: string, password: string): Promise<AuthResult<{ detail: string }>>;
  /** The signed-in user's account: verified address, password, identities, second factors. */
  getAccount(): Promise<AuthResult<AccountInfo>>;
  /** Deletes the signed-in user's account (password to confirm), then signs out every tab. */
  deleteAccount(password?: string): Promise<AuthResult<{ detail: string }>>;
  /** The signed-in user's live sessions. */
  listSessions(): Promise<AuthResult<SessionInfo[]>>;
  /** Ends one of the user's sessions (this one too: then this browser is signed out). */
  revokeSession(sid: string): Promise<AuthResult<{ detail: string }>>;
  /** Ends every session of the user but this one; resolves to how many ended. */
  revokeOtherSessions(): Promise<AuthResult<{ revoked: number }>>;

  // Passkeys and re-authentication (docs/contract.md section 9; src/client/passkeys.ts).
  /** Whether this browser has WebAuthn (false on the server and before hydration). */
  passkeysSupported: boolean;
  /** Signs in with a passkey from the browser's prompt (no username); signed in as by signIn. */
  signInWithPasskey(options?: { signal?: AbortSignal }): Promise<SignInResult>;
  /**
   * Starts the conditional request behind the username field's autofill (`autocomplete="username
   * webauthn"`): resolves when the user picks a passkey there, signed in as by signIn; aborting
   * `signal` stops it (`passkey_cancelled`). `passkey_unsupported` without a request where the browser has no autofill.
   */
  startPasskeyAutofill(options?: { signal?: AbortSignal }): Promise<SignInResult>;
  /** Creates a passkey on this device and registers it for the signed-in user. */
  registerPasskey(name?: string): Promise<AuthResult<PasskeyInfo>>;
  /** The signed-in user's passkeys, newest first. */
  listPasskeys(): Promise<AuthResult<PasskeyInfo[]>>;
  /** Removes one of the signed-in user's passkeys. */
  deletePasskey(id: string): Promise<AuthResult<{ detail: string }>>;
  /** Confirms it is still the user (password, TOTP code or a passkey): a fresh sign-in time for this session. */
  reauthenticate(proof: Reauthentication): Promise<SignInResult>;
} & Omit<SecondFactorMembers, 'reauthenticate'>;

/**
 * What <AuthProvider> holds: everything but `passkeysSupported`, which useAuth() reads in the
 * component that asks (see there).
 */
export type ProvidedAuthValue = Omit<AuthContextValue, 'passkeysSupported'>;

/** The React context behind useAuth(). */
export const AuthContext = createContext<ProvidedAuthValue | null>(null);
