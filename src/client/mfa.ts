'use client';

import { useCallback, useMemo, useRef, useState, type RefObject } from 'react';
import type { openTabChannel } from './broadcast';
import { AuthClientError, asTokenAnswer, requestJson } from './api';
import type { AuthResult, SignInResult } from './context';
import { startSession } from './refresh';
import {
  SECOND_STEP_LIFETIME_MS,
  SECOND_STEP_MAX_FAILURES,
  type SecondFactorMethod,
  type SecondFactorRequired,
} from './second-step';
import type { AuthClientErrorInfo, TokenAnswer } from './types';

// The second factors in the browser (docs/contract.md section 9, docs/client.md): the second
// step of a sign-in, re-authentication (step-up), and the TOTP factor of the signed-in user.

/** A sign-in waiting for its second step: what the page may offer. The token is not in here. */
export interface PendingSecondFactor {
  /** What the server accepts: the authenticator app's code, and a recovery code while any are left. */
  methods: SecondFactorMethod[];
  /** Which first step asked: the password form, or the identity provider's callback. */
  source: 'password' | 'cognito';
  /** When the step expires (ms since the epoch; the server's `mfa_token` lives 5 minutes). */
  expiresAt: number;
}

/** What verifySecondFactor() takes: the app's six-digit code, or one of the recovery codes. */
export type SecondFactorInput = { code: string } | { recoveryCode: string };

/**
 * What verifySecondFactor() resolves to. `restart` is true when this sign-in is over (the step
 * expired, was used, or too many codes were wrong): go back to the first step.
 */
export type SecondFactorResult =
  { ok: true } | { ok: false; error: AuthClientErrorInfo; restart: boolean };

/** What signIn() resolves to when the password was right and a second factor is needed. */
export interface SecondFactorNeeded {
  ok: false;
  /** A second step is needed: call verifySecondFactor() with a code. */
  mfaRequired: true;
  methods: SecondFactorMethod[];
  /** `code: 'mfa_required'`, so code that reads only `error` still shows a sentence. */
  error: AuthClientErrorInfo;
}

/** What re-authentication takes: the password, or a current code from the authenticator app. */
export type ReauthenticateInput = { password: string } | { code: string };

/** How a change to the factor is confirmed: the password, a current code, or nothing within `reauthMaxAge` of a sign-in. */
export type FactorConfirmation = { password: string } | { code: string } | Record<string, never>;

/** The answer of POST /auth/mfa/totp/setup/: what the authenticator app needs. */
export interface TotpSetup {
  /** The base32 secret, for typing into the app by hand. */
  secret: string;
  /** The `otpauth://totp/...` URI the QR code carries. */
  otpauthUri: string;
  /** The QR code as an SVG document made by the server (show it as an image, never as markup). */
  qrSvg: string;
}

/** The second-factor members of useAuth() (docs/client.md). */
export interface SecondFactorMembers {
  /** The sign-in waiting for its second step, or null. */
  secondFactor: PendingSecondFactor | null;
  /** Finishes the waiting sign-in with a code or a recovery code: signed in as signIn() signs in. */
  verifySecondFactor(input: SecondFactorInput): Promise<SecondFactorResult>;
  /** Forgets the waiting sign-in (the "back" link). */
  cancelSecondFactor(): void;
  /** Step-up: proves it is still the user (password or code); the session counts as recent again. */
  reauthenticate(input: ReauthenticateInput): Promise<SignInResult>;
  /** Starts turning TOTP on: a new secret and its QR code (the password, unless the sign-in is recent). */
  setupTotp(password?: string): Promise<AuthResult<TotpSetup>>;
  /** Turns TOTP on with the first code from the app; the ten recovery codes are shown only now. */
  confirmTotp(code: string): Promise<AuthResult<{ recoveryCodes: string[] }>>;
  /** Turns TOTP off (and deletes the recovery codes). */
  disableTotp(confirmation?: FactorConfirmation): Promise<AuthResult<{ detail: string }>>;
  /** Ten new recovery codes; the old ones stop working. */
  regenerateRecoveryCodes(
    confirmation?: FactorConfirmation,
  ): Promise<AuthResult<{ recoveryCodes: string[] }>>;
}

type Attempt = <T>(
  source: AuthClientErrorInfo['source'],
  call: () => Promise<T>,
) => Promise<AuthResult<T>>;

type ToErrorInfo = (error: unknown, source: AuthClientErrorInfo['source']) => AuthClientErrorInfo;

type WithBearer = <T>(call: (accessToken: string) => Promise<T>) => Promise<T>;

/** The kit's second-factor endpoints as the client calls them (docs/endpoints.md). */
export const mfaApi = {
  verify: async (mfaToken: string, input: SecondFactorInput): Promise<TokenAnswer> => {
    const body =
      'code' in input
        ? { mfa_token: mfaToken, code: input.code }
        : { mfa_token: mfaToken, recovery_code: input.recoveryCode };
    return asTokenAnswer((await requestJson<unknown>('/mfa/verify/', { body })).data);
  },
  reauthenticate: async (accessToken: string, input: ReauthenticateInput) =>
    asTokenAnswer(
      (await requestJson<unknown>('/reauthenticate/', { body: input, accessToken })).data,
    ),
  async setup(accessToken: string, password: string | undefined): Promise<TotpSetup> {
    const { data } = await requestJson<Record<string, unknown> | null>('/mfa/totp/setup/', {
      body: password === undefined ? {} : { password },
      accessToken,
    });
    if (
      typeof data?.secret !== 'string' ||
      typeof data.otpauth_uri !== 'string' ||
      typeof data.qr_svg !== 'string'
    )
      throw unreadable();
    return { secret: data.secret, otpauthUri: data.otpauth_uri, qrSvg: data.qr_svg };
  },
  confirm: (accessToken: string, code: string) =>
    recoveryCodes('/mfa/totp/confirm/', { code }, accessToken),
  async disable(accessToken: string, confirmation: FactorConfirmation): Promise<string> {
    const { data } = await requestJson<{ detail?: unknown } | null>('/mfa/totp/disable/', {
      body: confirmation,
      accessToken,
    });
    return typeof data?.detail === 'string' ? data.detail : '';
  },
  regenerate: (accessToken: string, confirmation: FactorConfirmation) =>
    recoveryCodes('/mfa/recovery-codes/regenerate/', confirmation, accessToken),
};

function unreadable(): AuthClientError {
  return new AuthClientError({
    code: 'network_error',
    detail: "The server's answer could not be read.",
    status: 0,
  });
}

async function recoveryCodes(
  path: string,
  body: unknown,
  accessToken: string,
): Promise<{ recoveryCodes: string[] }> {
  const { data } = await requestJson<{ recovery_codes?: unknown } | null>(path, {
    body,
    accessToken,
  });
  const codes = data?.recovery_codes;
  if (!Array.isArray(codes) || !codes.every((code) => typeof code === 'string')) throw unreadable();
  return { recoveryCodes: codes };
}

/** An error the client itself reports for the second step (no request, or one the server ended). */
function stepError(
  code: 'second_factor_expired' | 'second_factor_exhausted',
  status = 401,
): AuthClientErrorInfo {
  return {
    source: 'sign-in',
    code,
    status,
    detail:
      code === 'second_factor_expired'
        ? 'This sign-in has expired or was already finished. Sign in again.'
        : 'Too many wrong codes. Sign in again.',
  };
}

/**
 * The second step of a sign-in, for <AuthProvider>: `begin` takes the first step's answer (the
 * token goes into a ref, never into state, storage or a broadcast), `verifySecondFactor` finishes
 * it as a password sign-in finishes: the tokens into the state (`accept`), the other tabs told.
 */
export function useSecondStep({
  accept,
  tabs,
  toErrorInfo,
}: {
  accept: (answer: TokenAnswer) => void;
  tabs: RefObject<ReturnType<typeof openTabChannel>>;
  toErrorInfo: ToErrorInfo;
}) {
  const token = useRef<{ value: string; failures: number } | null>(null);
  const [pending, setPending] = useState<PendingSecondFactor | null>(null);

  const cancelSecondFactor = useCallback(() => {
    token.current = null;
    setPending(null);
  }, []);

  const begin = useCallback(
    (required: SecondFactorRequired, source: PendingSecondFactor['source']): SecondFactorNeeded => {
      token.current = { value: required.mfaToken, failures: 0 };
      setPending({
        methods: required.methods,
        source,
        expiresAt: Date.now() + SECOND_STEP_LIFETIME_MS,
      });
      return {
        ok: false,
        mfaRequired: true,
        methods: required.methods,
        error: {
          source: source === 'password' ? 'sign-in' : 'cognito',
          code: 'mfa_required',
          detail: 'Enter the code from your authenticator app to finish signing in.',
          status: 200,
        },
      };
    },
    [],
  );

  const expiresAt = pending?.expiresAt ?? 0;
  const verifySecondFactor = useCallback(
    async (input: SecondFactorInput): Promise<SecondFactorResult> => {
      const held = token.current;
      if (!held || Date.now() >= expiresAt) {
        cancelSecondFactor();
        return { ok: false, error: stepError('second_factor_expired'), restart: true };
      }
      try {
        accept(await startSession(() => mfaApi.verify(held.value, input)));
        tabs.current?.post({ type: 'signed-in' });
        cancelSecondFactor();
        return { ok: true };
      } catch (error) {
        const info = toErrorInfo(error, 'sign-in');
        if (info.code === 'authentication_failed') held.failures += 1;
        const exhausted = held.failures >= SECOND_STEP_MAX_FAILURES;
        if (info.code === 'token_not_valid' || exhausted) {
          cancelSecondFactor();
          return {
            ok: false,
            error: stepError(exhausted ? 'second_factor_exhausted' : 'second_factor_expired'),
            restart: true,
          };
        }
        return { ok: false, error: info, restart: false };
      }
    },
    [expiresAt, accept, tabs, toErrorInfo, cancelSecondFactor],
  );

  return { pending, begin, verifySecondFactor, cancelSecondFactor };
}

/**
 * Re-authentication and the TOTP factor of the signed-in user, for <AuthProvider>: Bearer calls
 * through `withBearer` (refresh once on `token_not_valid`), errors as results with source `mfa`.
 */
export function useFactorActions({
  attempt,
  withBearer,
  signedIn,
}: {
  attempt: Attempt;
  withBearer: WithBearer;
  signedIn: (answer: TokenAnswer) => void;
}) {
  const reauthenticate = useCallback(
    async (input: ReauthenticateInput): Promise<SignInResult> => {
      const result = await attempt('mfa', () =>
        withBearer((token) => mfaApi.reauthenticate(token, input)),
      );
      if (!result.ok) return result;
      signedIn(result.value);
      return { ok: true };
    },
    [attempt, withBearer, signedIn],
  );

  const setupTotp = useCallback(
    (password?: string) => attempt('mfa', () => withBearer((t) => mfaApi.setup(t, password))),
    [attempt, withBearer],
  );

  const confirmTotp = useCallback(
    (code: string) => attempt('mfa', () => withBearer((t) => mfaApi.confirm(t, code))),
    [attempt, withBearer],
  );

  const disableTotp = useCallback(
    (confirmation: FactorConfirmation = {}) =>
      attempt('mfa', async () => ({
        detail: await withBearer((t) => mfaApi.disable(t, confirmation)),
      })),
    [attempt, withBearer],
  );

  const regenerateRecoveryCodes = useCallback(
    (confirmation: FactorConfirmation = {}) =>
      attempt('mfa', () => withBearer((t) => mfaApi.regenerate(t, confirmation))),
    [attempt, withBearer],
  );

  return useMemo(
    () => ({ reauthenticate, setupTotp, confirmTotp, disableTotp, regenerateRecoveryCodes }),
    [reauthenticate, setupTotp, confirmTotp, disableTotp, regenerateRecoveryCodes],
  );
}
