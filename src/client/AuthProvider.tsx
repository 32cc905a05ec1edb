'use client';

import { useCallback, useEffect, useMemo, useReducer, useRef, type ReactNode } from 'react';
import { safeRelativePath } from './redirects';
import { AuthClientError, authApi } from './api';
import { openTabChannel, type TabMessage } from './broadcast';
import { AuthContext, type AuthContextValue, type SignInResult } from './context';
import { cognitoLogoutUrl, getUserManager } from './oidc';
import { refreshTokens } from './refresh';
import { authReducer, initialAuthState } from './state';
import { clearTokens, getAccessToken, getCsrfToken, storeTokens } from './token-store';
import type { AuthClientErrorInfo, ClientIdpSettings, TokenAnswer } from './types';

/** Refresh this long before the access token expires. */
const REFRESH_AHEAD_SECONDS = 30;
/** After a network error or a 5xx, try again after this long, doubling up to RETRY_MAX_MS. */
const RETRY_FIRST_MS = 2_000;
const RETRY_MAX_MS = 60_000;

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

  const signIn = useCallback(
    async (username: string, password: string): Promise<SignInResult> => {
      try {
        accept(await authApi.signIn(username, password));
        tabs.current?.post({ type: 'signed-in' });
        return { ok: true };
      } catch (error) {
        const info = toErrorInfo(error, 'sign-in');
        dispatch({ type: 'error', error: info });
        return { ok: false, error: info };
      }
    },
    [accept],
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
    try {
      if (!idp) throw new Error('no IdP is configured');
      const manager = await getUserManager(idp, callbackPath);
      const user = await manager.signinCallback();
      if (!user?.id_token) throw new Error('the IdP answered without an id token');
      const answer = await authApi.socialExchange({
        id_token: user.id_token,
        access_token: user.access_token,
      });
      await manager.removeUser(); // the IdP's tokens are exchanged, not kept
      accept(answer);
      tabs.current?.post({ type: 'signed-in' });
      return {
        ok: true as const,
        returnTo: safeRelativePath((user.state as { returnTo?: string } | undefined)?.returnTo),
      };
    } catch (error) {
      // Reported, not signed out: a failed callback (a reload of /callback, a used code) must not
      // end a session this browser already has in other tabs.
      const info = toErrorInfo(error, 'cognito');
      dispatch({ type: 'error', error: info });
      return { ok: false as const, error: info };
    }
  }, [idp, callbackPath, accept]);

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

  const value = useMemo<AuthContextValue>(
    () => ({
      ...state,
      signIn,
      signInWithCognito,
      completeCognitoSignIn,
      signOut,
      refresh,
      authFetch,
      getAccessToken,
      cognitoEnabled: Boolean(idp),
    }),
    [state, signIn, signInWithCognito, completeCognitoSignIn, signOut, refresh, authFetch, idp],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}
