'use client';

import { useMemo } from 'react';
import { loadFailure } from './api';
import type { AuthResult, SignInResult } from './context';
import type { PendingSecondFactor, SecondFactorNeeded } from './mfa';
import type { SecondFactorRequired } from './second-step';
import type { AuthClientErrorInfo, ClientIdpSettings, TokenAnswer } from './types';

type Source = AuthClientErrorInfo['source'];

/** What the provider lends the lazily loaded members (account.ts, cognito.ts, mfa.ts, passkeys.ts). */
export interface ProviderParts {
  /** Runs `call`, its answer or its error as a result (never a rejection). */
  attempt<T>(source: Source, call: () => Promise<T>): Promise<AuthResult<T>>;
  /** Runs a Bearer call with the access token in memory, refreshing once on `token_not_valid`. */
  withBearer<T>(call: (accessToken: string) => Promise<T>): Promise<T>;
  /** Takes a sign-in answer into the state and tells the other tabs. */
  signedIn(answer: TokenAnswer): void;
  /** Runs a call answered with tokens and takes them as a sign-in; its failure as a result. */
  signInWith(source: Source, call: () => Promise<TokenAnswer>): Promise<SignInResult>;
  /** Puts an error into the provider's state (as a failed password sign-in does). */
  reportError(error: AuthClientErrorInfo): void;
  /** The server ended this browser's session: every tab signs out. */
  endedHere(): void;
  refresh(): Promise<string | null>;
  signOut(): Promise<void>;
  /** Starts the second step of a sign-in the server answered with `mfa_required`. */
  beginSecondStep(
    required: SecondFactorRequired,
    source: PendingSecondFactor['source'],
  ): SecondFactorNeeded;
  /** The identity provider's settings (null: none configured) and the callback page's path. */
  idp: ClientIdpSettings | null;
  callbackPath: string;
  /** Whether this tab is signed in, and the `sid` of its session. */
  signedInNow: boolean;
  currentSid: string | undefined;
}

/** A member that resolves to a result (`{ ok: false, error }` on failure) or to nothing. */
type LaterMember = (...args: never[]) => Promise<unknown>;

/**
 * Members of useAuth() whose code the browser downloads on their first call, not with the page,
 * so that the sign-in page carries only the password sign-in. `names` are the members taken from
 * what `load` resolves to. When that code cannot be loaded (offline, or a deploy that removed the
 * chunk) a member resolves to a `network_error` result with `source`, like its own failures, and
 * never rejects; `report` also puts the error into the hook's `error`, for the sign-ins.
 * @example lazyMembers(() => import('./account').then((m) => m.accountMembers(parts)), 'account', ['getAccount'])
 */
export function lazyMembers<M extends Record<string, LaterMember>, K extends keyof M & string>(
  load: () => Promise<M>,
  source: Source,
  names: readonly K[],
  report?: (error: AuthClientErrorInfo) => void,
): Pick<M, K> {
  const members: Record<string, LaterMember> = {};
  for (const name of names) {
    members[name] = async (...args) => {
      let loaded: M;
      try {
        loaded = await load();
      } catch {
        const error = loadFailure(source);
        report?.(error);
        return { ok: false, error };
      }
      return loaded[name]!(...args);
    };
  }
  return members as Pick<M, K>;
}

/**
 * What no sign-in needs (the account, the TOTP factor, passkey management), and the sign-ins the
 * page starts only on a click (Cognito, a passkey): members of useAuth() whose code loads on
 * their first call.
 */
export function useLaterMembers(parts: ProviderParts) {
  return useMemo(
    () => ({
      ...lazyMembers(
        () => import('./cognito').then((m) => m.cognitoMembers(parts)),
        'cognito',
        ['signInWithCognito', 'completeCognitoSignIn'],
        parts.reportError,
      ),
      ...lazyMembers(
        () => import('./passkeys').then((m) => m.passkeySignInMembers(parts)),
        'passkeys',
        ['signInWithPasskey'],
        (error) => parts.reportError({ ...error, source: 'sign-in' }),
      ),
      // The autofill request runs in the background, unasked: a load failure is its result only.
      ...lazyMembers(
        () => import('./passkeys').then((m) => m.passkeySignInMembers(parts)),
        'passkeys',
        ['startPasskeyAutofill'],
      ),
      ...lazyMembers(() => import('./account').then((m) => m.accountMembers(parts)), 'account', [
        'signUp',
        'verifyEmail',
        'resendVerification',
        'requestPasswordReset',
        'resetPassword',
        'changePassword',
        'changeEmail',
        'getAccount',
        'deleteAccount',
        'listSessions',
        'revokeSession',
        'revokeOtherSessions',
      ]),
      ...lazyMembers(() => import('./mfa').then((m) => m.factorMembers(parts)), 'mfa', [
        'reauthenticate',
        'setupTotp',
        'confirmTotp',
        'disableTotp',
        'regenerateRecoveryCodes',
      ]),
      ...lazyMembers(() => import('./passkeys').then((m) => m.passkeyMembers(parts)), 'passkeys', [
        'registerPasskey',
        'listPasskeys',
        'deletePasskey',
      ]),
    }),
    [parts],
  );
}
