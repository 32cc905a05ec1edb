'use client';

import { useCallback, useMemo, useSyncExternalStore } from 'react';
import { AuthClientError } from './api';
import type { AuthContextValue, AuthResult, SignInResult } from './context';
import {
  PASSKEY_ERROR_CODES,
  abortedError,
  browserHasPasskeyAutofill,
  browserHasWebAuthn,
  requireWebAuthn,
} from './passkey-support';
import type * as PasskeyFlowsModule from './passkeys';
import { startSession } from './refresh';
import type { AuthClientErrorInfo, Reauthentication, TokenAnswer } from './types';

/** What the provider lends the passkey members. */
export interface PasskeyProviderParts {
  /** Takes a sign-in answer into the state and tells the other tabs. */
  signedIn(answer: TokenAnswer): void;
  /** Runs a Bearer call with the access token in memory, refreshing once on `token_not_valid`. */
  withBearer<T>(call: (accessToken: string) => Promise<T>): Promise<T>;
  /** Puts an error into the provider's state (as a failed password sign-in does). */
  reportError(error: AuthClientErrorInfo): void;
}

type PasskeyMembers = Pick<
  AuthContextValue,
  | 'passkeysSupported'
  | 'signInWithPasskey'
  | 'startPasskeyAutofill'
  | 'registerPasskey'
  | 'listPasskeys'
  | 'deletePasskey'
  | 'reauthenticate'
>;

function errorInfo(error: unknown): AuthClientErrorInfo {
  const info =
    error instanceof AuthClientError
      ? error.info
      : { code: 'client_error', detail: (error as Error)?.message ?? String(error), status: 0 };
  return { source: 'passkeys', ...info };
}

async function attempt<T>(call: () => Promise<T>): Promise<AuthResult<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    return { ok: false, error: errorInfo(error) };
  }
}

type PasskeyFlows = typeof PasskeyFlowsModule;

let flows: Promise<PasskeyFlows> | null = null;

/**
 * The passkey calls and ceremonies (passkeys.ts), imported on first use so that the provider
 * carries only this file; a chunk that failed to load is tried again next time.
 */
function passkeyFlows(): Promise<PasskeyFlows> {
  flows ??= import('./passkeys').catch(() => {
    flows = null;
    throw new AuthClientError({
      code: 'network_error',
      detail: 'The passkey support could not be loaded.',
      status: 0,
    });
  });
  return flows;
}

/** The browser's own outcomes (a closed prompt, no WebAuthn): not the session's error. */
const BROWSER_CODES: ReadonlySet<string> = new Set(Object.values(PASSKEY_ERROR_CODES));

const noSubscription = () => () => {};

/**
 * The passkey members of useAuth() (docs/client.md), built on the provider's parts. A passkey
 * sign-in takes its answer exactly as signIn() takes a password sign-in's: under the refresh
 * lock, into the state, told to the other tabs.
 */
export function usePasskeyMembers({
  signedIn,
  withBearer,
  reportError,
}: PasskeyProviderParts): PasskeyMembers {
  const passkeysSupported = useSyncExternalStore(noSubscription, browserHasWebAuthn, () => false);

  const signInWith = useCallback(
    async (autofill: boolean, signal: AbortSignal | undefined): Promise<SignInResult> => {
      try {
        requireWebAuthn();
        if (autofill && !(await browserHasPasskeyAutofill()))
          throw new AuthClientError({
            code: PASSKEY_ERROR_CODES.unsupported,
            detail: 'This browser does not offer passkeys in autofill.',
            status: 0,
          });
        if (signal?.aborted) throw abortedError();
        const { passkeyApi, getPasskeyAssertion } = await passkeyFlows();
        const options = await passkeyApi.signInOptions();
        const response = await getPasskeyAssertion(options, { autofill, signal });
        signedIn(await startSession(() => passkeyApi.signIn(response)));
        return { ok: true };
      } catch (error) {
        const info = errorInfo(error);
        if (!BROWSER_CODES.has(info.code)) reportError({ ...info, source: 'sign-in' });
        return { ok: false, error: info };
      }
    },
    [signedIn, reportError],
  );

  const signInWithPasskey = useCallback(
    ({ signal }: { signal?: AbortSignal } = {}) => signInWith(false, signal),
    [signInWith],
  );
  const startPasskeyAutofill = useCallback(
    ({ signal }: { signal?: AbortSignal } = {}) => signInWith(true, signal),
    [signInWith],
  );

  const registerPasskey = useCallback(
    (name?: string) =>
      attempt(async () => {
        requireWebAuthn();
        const { passkeyApi, createPasskey } = await passkeyFlows();
        const options = await withBearer((token) => passkeyApi.registrationOptions(token));
        const response = await createPasskey(options);
        return withBearer((token) => passkeyApi.register(token, response, name));
      }),
    [withBearer],
  );

  const listPasskeys = useCallback(
    () =>
      attempt(async () => {
        const { passkeyApi } = await passkeyFlows();
        return withBearer((token) => passkeyApi.list(token));
      }),
    [withBearer],
  );

  const deletePasskey = useCallback(
    (id: string) =>
      attempt(async () => {
        const { passkeyApi } = await passkeyFlows();
        return { detail: await withBearer((token) => passkeyApi.remove(token, id)) };
      }),
    [withBearer],
  );

  const reauthenticate = useCallback(
    async (proof: Reauthentication): Promise<SignInResult> => {
      const result = await attempt(async () => {
        if ('passkey' in proof) requireWebAuthn();
        const { passkeyApi, getPasskeyAssertion } = await passkeyFlows();
        if ('passkey' in proof) {
          const options = await passkeyApi.signInOptions();
          const response = await getPasskeyAssertion(options);
          return withBearer((token) => passkeyApi.reauthenticate(token, { response }));
        }
        return withBearer((token) => passkeyApi.reauthenticate(token, proof));
      });
      if (!result.ok) return result;
      signedIn(result.value);
      return { ok: true };
    },
    [withBearer, signedIn],
  );

  return useMemo(
    () => ({
      passkeysSupported,
      signInWithPasskey,
      startPasskeyAutofill,
      registerPasskey,
      listPasskeys,
      deletePasskey,
      reauthenticate,
    }),
    [
      passkeysSupported,
      signInWithPasskey,
      startPasskeyAutofill,
      registerPasskey,
      listPasskeys,
      deletePasskey,
      reauthenticate,
    ],
  );
}
