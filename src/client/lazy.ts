'use client';

import { useMemo } from 'react';
import type { AuthResult } from './context';
import type { AuthClientErrorInfo, TokenAnswer } from './types';

type Source = AuthClientErrorInfo['source'];

/** What the provider lends the lazily loaded members (account.ts, mfa.ts, passkeys.ts). */
export interface ProviderParts {
  /** Runs `call`, its answer or its error as a result (never a rejection). */
  attempt<T>(source: Source, call: () => Promise<T>): Promise<AuthResult<T>>;
  /** Runs a Bearer call with the access token in memory, refreshing once on `token_not_valid`. */
  withBearer<T>(call: (accessToken: string) => Promise<T>): Promise<T>;
  /** Takes a sign-in answer into the state and tells the other tabs. */
  signedIn(answer: TokenAnswer): void;
  /** Puts an error into the provider's state (as a failed password sign-in does). */
  reportError(error: AuthClientErrorInfo): void;
  /** The server ended this browser's session: every tab signs out. */
  endedHere(): void;
  refresh(): Promise<string | null>;
  signOut(): Promise<void>;
  /** Whether this tab is signed in, and the `sid` of its session. */
  signedInNow: boolean;
  currentSid: string | undefined;
}

/** A member that resolves to a result and never rejects (`{ ok: false, error }` on failure). */
type ResultMember = (...args: never[]) => Promise<{ ok: boolean }>;

/**
 * Members of useAuth() whose code the browser downloads on their first call, not with the page:
 * what no sign-in needs (sign-up, the mailed links, the account and its sessions, the TOTP factor,
 * passkey management), so that the sign-in page carries only the sign-in. `sources` lists the
 * members (the object is built from it) with the source of the error each resolves to when its
 * code cannot be loaded (offline, or a deploy that removed the chunk): a `network_error` result
 * like the member's own failures, never a rejection.
 * @example lazyMembers(() => import('./account').then((m) => m.accountMembers(parts)), { getAccount: 'account' })
 */
export function lazyMembers<M extends Record<string, ResultMember>>(
  load: () => Promise<M>,
  sources: { readonly [K in keyof M]: Source },
): M {
  const members: Record<string, (...args: never[]) => Promise<unknown>> = {};
  for (const [name, source] of Object.entries<Source>(sources)) {
    members[name] = async (...args) => {
      let loaded: M;
      try {
        loaded = await load();
      } catch {
        const error: AuthClientErrorInfo = {
          source,
          code: 'network_error',
          detail: 'This part of the page could not be loaded. Check your connection and try again.',
          status: 0,
        };
        return { ok: false, error };
      }
      return loaded[name]!(...args);
    };
  }
  return members as M;
}

/**
 * What no sign-in needs (the account, the TOTP factor, passkey management), as members of
 * useAuth() whose code loads on their first call: the sign-in page does not carry it.
 */
export function useLaterMembers(parts: ProviderParts) {
  return useMemo(
    () => ({
      ...lazyMembers(() => import('./account').then((m) => m.accountMembers(parts)), {
        signUp: 'sign-up',
        verifyEmail: 'email',
        resendVerification: 'email',
        requestPasswordReset: 'password',
        resetPassword: 'password',
        changePassword: 'password',
        changeEmail: 'email',
        getAccount: 'account',
        deleteAccount: 'account',
        listSessions: 'sessions',
        revokeSession: 'sessions',
        revokeOtherSessions: 'sessions',
      }),
      ...lazyMembers(() => import('./mfa').then((m) => m.factorMembers(parts)), {
        reauthenticate: 'mfa',
        setupTotp: 'mfa',
        confirmTotp: 'mfa',
        disableTotp: 'mfa',
        regenerateRecoveryCodes: 'mfa',
      }),
      ...lazyMembers(() => import('./passkeys').then((m) => m.passkeyMembers(parts)), {
        signInWithPasskey: 'passkeys',
        startPasskeyAutofill: 'passkeys',
        registerPasskey: 'passkeys',
        listPasskeys: 'passkeys',
        deletePasskey: 'passkeys',
      }),
    }),
    [parts],
  );
}
