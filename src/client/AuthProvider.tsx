'use client';

import {
  startTransition,
  useCallback,
  useEffect,
  useMemo,
  useReducer,
  useRef,
  type ReactNode,
} from 'react';
import { AuthClientError, asTokenAnswer, authApi } from './api';
import { openTabChannel, type TabMessage } from './broadcast';
import { AuthContext, type AuthResult, type ProvidedAuthValue, type SignInResult } from './context';
import { useLaterMembers } from './lazy';
import { cognitoLogoutUrl } from './oidc';
import { refreshTokens, startSession } from './refresh';
import { SecondFactorRequired } from './second-step';
import { useSecondStep } from './use-second-step';
import { authReducer, initialAuthState } from './state';
import { clearTokens, getAccessToken, getCsrfToken, storeTokens } from './token-store';
import type { AuthClientErrorInfo, ClientIdpSettings, TokenAnswer } from './types';

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

/** The access token in memory, else a refresh's when this browser has a session, else null. */
async function tokenOr(refresh: () => Promise<string | null>): Promise<string | null> {
  return getAccessToken() ?? (getCsrfToken() ? refresh() : null);
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
  idp: idpProp = null,
  callbackPath = '/callback',
}: {
  children: ReactNode;
  idp?: ClientIdpSettings | null;
  callbackPath?: string;
}) {
  // The layout hands a new settings object at each of its renders (a router.refresh()): the same
  // settings must keep the members the same, or every effect that depends on one starts again.
  const idpKey = idpProp ? JSON.stringify(idpProp) : null;
  const idp = useMemo<ClientIdpSettings | null>(
    () => (idpKey ? (JSON.parse(idpKey) as ClientIdpSettings) : null),
    [idpKey],
  );
  const [state, dispatchNow] = useReducer(authReducer, initialAuthState);
  // Every change of the auth state is a transition. The first one comes from the mount effect,
  // while parts of the page below may still be server HTML waiting for their code (a lazy
  // component inside a <Suspense>): an urgent update there makes React throw that HTML away and
  // render the part afresh, emptying what the user already typed into its fields. A transition
  // waits for the part to hydrate instead.
  const dispatch = useCallback(
    (action: Parameters<typeof dispatchNow>[0]) => startTransition(() => dispatchNow(action)),
    [],
  );
  const tabs = useRef<ReturnType<typeof openTabChannel>>(null);

  const signedOut = useCallback(
    (error: AuthClientErrorInfo | null = null) => {
      clearTokens();
      dispatch({ type: 'signed-out', error });
    },
    [dispatch],
  );

  const accept = useCallback(
    (answer: TokenAnswer) => {
      storeTokens(answer);
      dispatch({ type: 'tokens', answer });
    },
    [dispatch],
  );

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
  }, [dispatch, signedOut]);

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

  /** Takes tokens into the state and tells the other tabs (they refresh with the new cookie). */
  const signedIn = useCallback(
    (answer: TokenAnswer) => {
      accept(answer);
      tabs.current?.post({ type: 'signed-in' });
    },
    [accept],
  );

  /** Runs a call answered with tokens and takes them as a sign-in; its failure as a result. */
  const signInWith = useCallback(
    async (source: AuthClientErrorInfo['source'], call: () => Promise<TokenAnswer>) => {
      const result = await attempt(source, call);
      if (!result.ok) return result;
      signedIn(result.value);
      return { ok: true } as const;
    },
    [signedIn],
  );

  // The second step of a sign-in for a user with TOTP on (src/client/use-second-step.ts).
  const secondStep = useSecondStep({ signedIn, toErrorInfo });
  const beginSecondStep = secondStep.begin;

  const signIn = useCallback(
    async (username: string, password: string) => {
      try {
        signedIn(await startSession(() => authApi.signIn(username, password)));
        return { ok: true as const };
      } catch (error) {
        if (error instanceof SecondFactorRequired) return beginSecondStep(error, 'password');
        const info = toErrorInfo(error, 'sign-in');
        dispatch({ type: 'error', error: info });
        return { ok: false as const, error: info };
      }
    },
    [dispatch, signedIn, beginSecondStep],
  );

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
      const response = await send(await tokenOr(refresh));
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
      const token = await tokenOr(refresh);
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

  const { pending: secondFactor, verifySecondFactor, cancelSecondFactor } = secondStep;

  const reportError = useCallback(
    (error: AuthClientErrorInfo) => dispatch({ type: 'error', error }),
    [dispatch],
  );

  // The members loaded on first call (src/client/lazy.ts): the Cognito and passkey sign-ins, the
  // account, the factors and passkey management.
  const signedInNow = state.status === 'authenticated';
  const currentSid = signedInNow ? state.user.claims.sid : undefined;
  const parts = useMemo(
    () => ({
      attempt,
      withBearer,
      signedIn,
      signInWith,
      reportError,
      endedHere,
      refresh,
      signOut,
      beginSecondStep,
      idp,
      callbackPath,
      signedInNow,
      currentSid,
    }),
    [
      withBearer,
      signedIn,
      signInWith,
      reportError,
      endedHere,
      refresh,
      signOut,
      beginSecondStep,
      idp,
      callbackPath,
      signedInNow,
      currentSid,
    ],
  );
  const later = useLaterMembers(parts);

  const value = useMemo<ProvidedAuthValue>(
    () => ({
      ...state,
      ...later,
      signIn,
      signOut,
      refresh,
      authFetch,
      getAccessToken,
      cognitoEnabled: Boolean(idp),
      adopt,
      secondFactor,
      verifySecondFactor,
      cancelSecondFactor,
    }),
    [
      state,
      later,
      signIn,
      signOut,
      refresh,
      authFetch,
      idp,
      adopt,
      secondFactor,
      verifySecondFactor,
      cancelSecondFactor,
    ],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}
