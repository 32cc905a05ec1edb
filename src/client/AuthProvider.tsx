'use client';

import { useCallback, useEffect, useMemo, useReducer, useRef, type ReactNode } from 'react';
import { safeRelativePath } from './redirects';
import { AuthClientError, asTokenAnswer, authApi } from './api';
import { openTabChannel, type TabMessage } from './broadcast';
import {
  AuthContext,
  type AuthContextValue,
  type AuthResult,
  type SignInResult,
  type SignUpResult,
} from './context';
import { useFactorActions, useSecondStep } from './mfa';
import { cognitoLogoutUrl, getUserManager } from './oidc';
import { usePasskeyMembers } from './passkey-members';
import { refreshTokens, startSession } from './refresh';
import { SecondFactorRequired } from './second-step';
import { authReducer, initialAuthState } from './state';
import { clearTokens, getAccessToken, getCsrfToken, storeTokens } from './token-store';
import type {
  AuthClientErrorInfo,
  ClientIdpSettings,
  Reauthentication,
  SignUpFields,
  TokenAnswer,
} from './types';

/** Refresh this long before the access token expires. */
const REFRESH_AHEAD_SECONDS = 30;
/** After a network error or a 5xx, try again after this long, doubling up to RETRY_MAX_MS. */
const RETRY_FIRST_MS = 2_000;
const RETRY_MAX_MS = 60_000;

type Source = AuthClientErrorInfo['source'];

/** Runs `call` and reports its answer or its error as a result, never a rejection. */
async function attempt<T>(source: Source, call: () => Promise<T>): Promise<AuthResult<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    return { ok: false, error: toErrorInfo(error, source) };
  }
}

function notSignedIn(): AuthClientError {
  return new AuthClientError({ code: 'token_not_valid', detail: 'Not signed in.', status: 401 });
}

function toErrorInfo(error: unknown, source: AuthClientErrorInfo['source']): AuthClientErrorInfo {
  if (error instanceof AuthClientError) return { source, ...error.info };
  return {
    source,
    code: 'client_error',
    detail: (error as Error)?.message ?? String(error),
    status: 0,
  };
}

/**
 * Holds the auth state for its children: refreshes through the HttpOnly cookie on mount (so a
 * reload or a new tab stays signed in) and ahead of expiry, keeps the access token in memory,
 * and keeps tabs in step. `idp` comes from the server's configuration at run time.
 * @example <AuthProvider idp={idpSettings}>{children}</AuthProvider>
 */
export function AuthProvider({
  children,
  idp = null,
  callbackPath = '/callback',
}: {
  children: ReactNode;
  idp?: ClientIdpSettings | null;
  callbackPath?: string;
}) {
  const [state, dispatch] = useReducer(authReducer, initialAuthState);
  const tabs = useRef<ReturnType<typeof openTabChannel>>(null);

  const signedOut = useCallback((error: AuthClientErrorInfo | null = null) => {
    clearTokens();
    dispatch({ type: 'signed-out', error });
  }, []);

  const accept = useCallback((answer: TokenAnswer) => {
    storeTokens(answer);
    dispatch({ type: 'tokens', answer });
  }, []);

  const retry = useRef({
    timer: undefined as ReturnType<typeof setTimeout> | undefined,
    delayMs: RETRY_FIRST_MS,
  });
  const refreshRef = useRef<() => Promise<string | null>>(async () => null);

  const refresh = useCallback(async (): Promise<string | null> => {
    clearTimeout(retry.current.timer);
    try {
      const answer = await refreshTokens();
      retry.current.delayMs = RETRY_FIRST_MS;
      dispatch({ type: 'tokens', answer });
      return answer.access_token;
    } catch (error) {
      const info = toErrorInfo(error, 'refresh');
      // The server refused the session (401/403): signed out. A network error or a 5xx keeps
      // the state and tries again later, backing off up to a minute.
      if (info.status === 401 || info.status === 403) {
        signedOut(info.status === 401 ? null : info);
      } else {
        dispatch({ type: 'error', error: info });
        retry.current.timer = setTimeout(() => void refreshRef.current(), retry.current.delayMs);
        retry.current.delayMs = Math.min(retry.current.delayMs * 2, RETRY_MAX_MS);
      }
      return null;
    }
  }, [signedOut]);

  useEffect(() => {
    refreshRef.current = refresh;
    const state = retry.current;
    return () => clearTimeout(state.timer);
  }, [refresh]);

  useEffect(() => {
    tabs.current = openTabChannel((message: TabMessage) => {
      if (message.type === 'signed-out') signedOut();
      else void refresh();
    });
    if (getCsrfToken()) void refresh();
    else signedOut();
    return () => tabs.current?.close();
  }, [refresh, signedOut]);

  const expiry = state.status === 'authenticated' ? (state.user.claims.exp as number) : 0;
  useEffect(() => {
    if (!expiry) return;
    const delayMs = Math.max(5_000, (expiry - REFRESH_AHEAD_SECONDS) * 1000 - Date.now());
    const timer = setTimeout(() => void refresh(), delayMs);
    return () => clearTimeout(timer);
  }, [expiry, refresh]);

  // The second step of a sign-in for a user with TOTP on (src/client/mfa.ts).
  const secondStep = useSecondStep({ accept, tabs, toErrorInfo });
  const beginSecondStep = secondStep.begin;

  const signIn = useCallback(
    async (username: string, password: string) => {
      try {
        accept(await startSession(() => authApi.signIn(username, password)));
        tabs.current?.post({ type: 'signed-in' });
        return { ok: true as const };
      } catch (error) {
        if (error instanceof SecondFactorRequired) return beginSecondStep(error, 'password');
        const info = toErrorInfo(error, 'sign-in');
        dispatch({ type: 'error', error: info });
        return { ok: false as const, error: info };
      }
    },
    [accept, beginSecondStep],
  );

  const signInWithCognito = useCallback(
    async ({ returnTo = '/' }: { returnTo?: string } = {}) => {
      if (!idp) throw new Error('signInWithCognito: no IdP is configured (COGNITO_* settings)');
      try {
        const manager = await getUserManager(idp, callbackPath);
        await manager.signinRedirect({ state: { returnTo: safeRelativePath(returnTo) } });
      } catch (error) {
        // The client library could not load or the IdP's metadata is unreachable: say so in
        // `error` (the caller usually fires and forgets this call).
        dispatch({ type: 'error', error: toErrorInfo(error, 'cognito') });
      }
    },
    [idp, callbackPath],
  );

  const completeCognitoSignIn = useCallback(async () => {
    let returnTo = '/';
    try {
      if (!idp) throw new Error('no IdP is configured');
      const manager = await getUserManager(idp, callbackPath);
      const user = await manager.signinCallback();
      if (!user?.id_token) throw new Error('the IdP answered without an id token');
      returnTo = safeRelativePath((user.state as { returnTo?: string } | undefined)?.returnTo);
      const answer = await authApi
        .socialExchange({ id_token: user.id_token, access_token: user.access_token })
        .finally(() => manager.removeUser()); // the IdP's tokens are exchanged, not kept
      accept(answer);
      tabs.current?.post({ type: 'signed-in' });
      return { ok: true as const, returnTo };
    } catch (error) {
      // A user with TOTP on: the callback page asks for the code (verifySecondFactor).
      if (error instanceof SecondFactorRequired)
        return { ...beginSecondStep(error, 'cognito'), returnTo };
      // Reported, not signed out: a failed callback (a reload of /callback, a used code) must not
      // end a session this browser already has in other tabs.
      const info = toErrorInfo(error, 'cognito');
      dispatch({ type: 'error', error: info });
      return { ok: false as const, error: info };
    }
  }, [idp, callbackPath, accept, beginSecondStep]);

  const signOut = useCallback(
    async ({ everywhere = false, idp: endIdpSession = false } = {}) => {
      let failure: AuthClientErrorInfo | null = null;
      try {
        const token = getAccessToken() ?? (everywhere ? await refresh() : null);
        if (everywhere && token) await authApi.logoffAll(token);
        else await authApi.logoff(getCsrfToken());
      } catch (error) {
        failure = toErrorInfo(error, 'sign-out');
      }
      signedOut(failure);
      tabs.current?.post({ type: 'signed-out' });
      const logoutUrl =
        endIdpSession && idp ? cognitoLogoutUrl(idp, `${window.location.origin}/`) : null;
      if (logoutUrl) window.location.assign(logoutUrl);
    },
    [idp, refresh, signedOut],
  );

  const authFetch = useCallback(
    async (input: RequestInfo | URL, init: RequestInit = {}) => {
      // Build the request once and clone it per send: a Request's own headers and body survive
      // the retry after a refresh.
      const base = new Request(input, init);
      const send = (token: string | null) => {
        const request = base.clone();
        if (token) request.headers.set('Authorization', `Bearer ${token}`);
        return fetch(request);
      };
      const token = getAccessToken() ?? (getCsrfToken() ? await refresh() : null);
      const response = await send(token);
      if (response.status !== 401) return response;
      const fresh = await refresh();
      return fresh ? send(fresh) : response;
    },
    [refresh],
  );

  /**
   * Calls a Bearer endpoint with the access token in memory (refreshing first when there is
   * none); a `token_not_valid` answer refreshes once and tries again, and a refresh the server
   * refuses signs this browser out, so the state follows the server's answer.
   */
  const withBearer = useCallback(
    async <T,>(call: (accessToken: string) => Promise<T>): Promise<T> => {
      const token = getAccessToken() ?? (getCsrfToken() ? await refresh() : null);
      if (!token) throw notSignedIn();
      try {
        return await call(token);
      } catch (error) {
        if (!(error instanceof AuthClientError) || error.info.code !== 'token_not_valid')
          throw error;
        const fresh = await refresh();
        if (!fresh) throw error;
        return call(fresh);
      }
    },
    [refresh],
  );

  /** Takes tokens into the state and tells the other tabs (they refresh with the new cookie). */
  const signedIn = useCallback(
    (answer: TokenAnswer) => {
      accept(answer);
      tabs.current?.post({ type: 'signed-in' });
    },
    [accept],
  );

  /** The server ended this browser's session (deletion, a revoked current session): every tab signs out. */
  const endedHere = useCallback(() => {
    signedOut();
    tabs.current?.post({ type: 'signed-out' });
  }, [signedOut]);

  const adopt = useCallback(
    (body: unknown): SignInResult => {
      try {
        signedIn(asTokenAnswer(body));
        return { ok: true };
      } catch (error) {
        return { ok: false, error: toErrorInfo(error, 'sign-in') };
      }
    },
    [signedIn],
  );

  const signUp = useCallback(
    async (fields: SignUpFields): Promise<SignUpResult> => {
      const result = await attempt('sign-up', () => authApi.signUp(fields));
      if (!result.ok) return result;
      if (!result.value.signedIn) return { ok: true, signedIn: false, detail: result.value.detail };
      signedIn(result.value.answer);
      return { ok: true, signedIn: true };
    },
    [signedIn],
  );

  const verifyEmail = useCallback(
    async (token: string): Promise<SignInResult> => {
      const result = await attempt('email', () => startSession(() => authApi.verifyEmail(token)));
      if (!result.ok) return result;
      signedIn(result.value);
      return { ok: true };
    },
    [signedIn],
  );

  const resendVerification = useCallback(
    async (email: string) =>
      attempt('email', async () => ({ detail: await authApi.resendVerification(email) })),
    [],
  );

  const requestPasswordReset = useCallback(
    async (email: string) =>
      attempt('password', async () => ({ detail: await authApi.requestPasswordReset(email) })),
    [],
  );

  const status = state.status;
  const resetPassword = useCallback(
    async (token: string, password: string) => {
      const result = await attempt('password', async () => ({
        detail: await authApi.confirmPasswordReset(token, password),
      }));
      // A reset ends every session of that user: if it was this browser's, find out now rather
      // than at the next refresh (a refused refresh signs out).
      if (result.ok && status === 'authenticated') await refresh();
      return result;
    },
    [refresh, status],
  );

  const changePassword = useCallback(
    async (currentPassword: string, newPassword: string): Promise<SignInResult> => {
      const result = await attempt('password', () =>
        withBearer((token) => authApi.changePassword(token, currentPassword, newPassword)),
      );
      if (!result.ok) return result;
      signedIn(result.value);
      return { ok: true };
    },
    [withBearer, signedIn],
  );

  const changeEmail = useCallback(
    async (newEmail: string, password: string) =>
      attempt('email', async () => ({
        detail: await withBearer((token) => authApi.changeEmail(token, newEmail, password)),
      })),
    [withBearer],
  );

  const getAccount = useCallback(
    async () => attempt('account', () => withBearer((token) => authApi.account(token))),
    [withBearer],
  );

  const deleteAccount = useCallback(
    async (password?: string) => {
      const result = await attempt('account', async () => ({
        detail: await withBearer((token) => authApi.deleteAccount(token, password)),
      }));
      if (result.ok) endedHere();
      return result;
    },
    [withBearer, endedHere],
  );

  const listSessions = useCallback(
    async () => attempt('sessions', () => withBearer((token) => authApi.sessions(token))),
    [withBearer],
  );

  const currentSid = state.status === 'authenticated' ? state.user.claims.sid : undefined;
  const revokeSession = useCallback(
    async (sid: string) => {
      const result = await attempt('sessions', async () => ({
        detail: await withBearer((token) => authApi.revokeSession(token, sid)),
      }));
      // This browser's own session: log off too, so its cookies go with it.
      if (result.ok && sid === currentSid) await signOut();
      return result;
    },
    [withBearer, currentSid, signOut],
  );

  const revokeOtherSessions = useCallback(
    async () =>
      attempt('sessions', async () => {
        const sessions = await withBearer((token) => authApi.sessions(token));
        // There is no "all but mine" endpoint: revoke the others one by one (a user has few).
        const others = sessions.filter((session) => !session.current && session.sid !== currentSid);
        for (const session of others)
          await withBearer((token) => authApi.revokeSession(token, session.sid));
        return { revoked: others.length };
      }),
    [withBearer, currentSid],
  );

  // Re-authentication and the TOTP factor (src/client/mfa.ts).
  const factorActions = useFactorActions({ attempt, withBearer, signedIn });
  const { pending: secondFactor, verifySecondFactor, cancelSecondFactor } = secondStep;

  // Passkeys (src/client/passkey-members.ts).
  const reportError = useCallback(
    (error: AuthClientErrorInfo) => dispatch({ type: 'error', error }),
    [],
  );
  const passkeys = usePasskeyMembers({ signedIn, withBearer, reportError });

  // One re-authentication: a passkey through the passkey members (which load WebAuthn's code on
  // first use), a password or a code through the factor actions (which load nothing).
  const reauthenticate = useCallback(
    (proof: Reauthentication) =>
      'passkey' in proof ? passkeys.reauthenticate(proof) : factorActions.reauthenticate(proof),
    [passkeys, factorActions],
  );

  const value = useMemo<AuthContextValue>(
    () => ({
      ...state,
      ...passkeys,
      signIn,
      signInWithCognito,
      completeCognitoSignIn,
      signOut,
      refresh,
      authFetch,
      getAccessToken,
      cognitoEnabled: Boolean(idp),
      adopt,
      signUp,
      verifyEmail,
      resendVerification,
      requestPasswordReset,
      resetPassword,
      changePassword,
      changeEmail,
      getAccount,
      deleteAccount,
      listSessions,
      revokeSession,
      revokeOtherSessions,
      secondFactor,
      verifySecondFactor,
      cancelSecondFactor,
      ...factorActions,
      reauthenticate,
    }),
    [
      state,
      passkeys,
      signIn,
      signInWithCognito,
      completeCognitoSignIn,
      signOut,
      refresh,
      authFetch,
      idp,
      adopt,
      signUp,
      verifyEmail,
      resendVerification,
      requestPasswordReset,
      resetPassword,
      changePassword,
      changeEmail,
      getAccount,
      deleteAccount,
      listSessions,
      revokeSession,
      revokeOtherSessions,
      secondFactor,
      verifySecondFactor,
      cancelSecondFactor,
      factorActions,
      reauthenticate,
    ],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}
