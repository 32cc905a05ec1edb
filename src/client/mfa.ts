import type { AuthenticationResponseJSON } from '@simplewebauthn/browser';
import {
  AuthClientError,
  asTokenAnswer,
  postForDetail,
  requestJson,
  unreadableAnswer,
} from './api';
import type { AuthResult, SignInResult } from './context';
import type { ProviderParts } from './lazy';
import { startSession } from './refresh';
import { SECOND_STEP_MAX_FAILURES, stepError, type SecondFactorMethod } from './second-step';
import type { AuthClientErrorInfo, Reauthentication, TokenAnswer } from './types';

// The second factors in the browser (docs/contract.md section 9, docs/client.md): the code of the
// second step of a sign-in (use-second-step.ts holds the step), re-authentication (step-up), and
// the TOTP factor of the signed-in user. The provider imports this module on the first call of
// any of them (lazy.ts), so a page that signs in with a password never downloads it.

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

/** The kit's second-factor endpoints as the client calls them (docs/endpoints.md). */
export const mfaApi = {
  /** POST /auth/reauthenticate/ (Bearer): a fresh `auth_time`, answered with new tokens. */
  reauthenticate: async (
    accessToken: string,
    proof: ReauthenticateInput | { response: AuthenticationResponseJSON },
  ) =>
    asTokenAnswer(
      (await requestJson<unknown>('/reauthenticate/', { body: proof, accessToken })).data,
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
      throw unreadableAnswer();
    return { secret: data.secret, otpauthUri: data.otpauth_uri, qrSvg: data.qr_svg };
  },
  confirm: (accessToken: string, code: string) =>
    recoveryCodes('/mfa/totp/confirm/', { code }, accessToken),
  disable: (accessToken: string, confirmation: FactorConfirmation) =>
    postForDetail('/mfa/totp/disable/', confirmation, accessToken),
  regenerate: (accessToken: string, confirmation: FactorConfirmation) =>
    recoveryCodes('/mfa/recovery-codes/regenerate/', confirmation, accessToken),
};

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
  if (!Array.isArray(codes) || !codes.every((code) => typeof code === 'string'))
    throw unreadableAnswer();
  return { recoveryCodes: codes };
}

/** POST /auth/mfa/verify/: the second step's code (or a recovery code) for the tokens. */
async function verifyCode(mfaToken: string, input: SecondFactorInput): Promise<TokenAnswer> {
  const body =
    'code' in input
      ? { mfa_token: mfaToken, code: input.code }
      : { mfa_token: mfaToken, recovery_code: input.recoveryCode };
  return asTokenAnswer((await requestJson<unknown>('/mfa/verify/', { body })).data);
}

/** A second step the provider holds: its `mfa_token` (never in state or storage) and the wrong codes so far. */
export interface HeldSecondStep {
  value: string;
  failures: number;
}

/**
 * Finishes the second step of a sign-in with a code (useSecondStep's verifySecondFactor, which
 * has checked that the step is held and alive): signed in as a password sign-in is (`signedIn`),
 * or an error; `restart: true` when this sign-in is over (the server ended it, or the fifth
 * wrong code).
 */
export async function verifySecondStep(
  held: HeldSecondStep,
  input: SecondFactorInput,
  {
    signedIn,
    toErrorInfo,
  }: {
    signedIn: (answer: TokenAnswer) => void;
    toErrorInfo: (error: unknown, source: AuthClientErrorInfo['source']) => AuthClientErrorInfo;
  },
): Promise<SecondFactorResult> {
  try {
    signedIn(await startSession(() => verifyCode(held.value, input)));
    return { ok: true };
  } catch (error) {
    const info = toErrorInfo(error, 'sign-in');
    if (info.code === 'authentication_failed') held.failures += 1;
    const exhausted = held.failures >= SECOND_STEP_MAX_FAILURES;
    if (info.code === 'token_not_valid' || exhausted) {
      const code = exhausted ? 'second_factor_exhausted' : 'second_factor_expired';
      return { ok: false, error: stepError(code), restart: true };
    }
    return { ok: false, error: info, restart: false };
  }
}

/**
 * Re-authentication and the TOTP factor of the signed-in user, built on the provider's parts:
 * Bearer calls through `withBearer` (refresh once on `token_not_valid`), errors as results with
 * source `mfa` (`passkeys` for a passkey's re-authentication).
 */
export function factorMembers({ attempt, withBearer, signInWith }: ProviderParts) {
  const withToken = <T>(call: (accessToken: string) => Promise<T>) =>
    attempt('mfa', () => withBearer(call));
  return {
    reauthenticate: (proof: Reauthentication): Promise<SignInResult> =>
      signInWith('passkey' in proof ? 'passkeys' : 'mfa', async () => {
        const body = 'passkey' in proof ? { response: await passkeyAssertion() } : proof;
        return withBearer((token) => mfaApi.reauthenticate(token, body));
      }),
    setupTotp: (password?: string) => withToken((token) => mfaApi.setup(token, password)),
    confirmTotp: (code: string) => withToken((token) => mfaApi.confirm(token, code)),
    disableTotp: (confirmation: FactorConfirmation = {}) =>
      withToken(async (token) => ({ detail: await mfaApi.disable(token, confirmation) })),
    regenerateRecoveryCodes: (confirmation: FactorConfirmation = {}) =>
      withToken((token) => mfaApi.regenerate(token, confirmation)),
  };
}

/** A passkey's assertion for re-authentication: the browser's prompt (passkeys.ts, loaded now). */
async function passkeyAssertion(): Promise<AuthenticationResponseJSON> {
  const { requireWebAuthn, passkeyApi, getPasskeyAssertion } = await import('./passkeys').catch(
    () => {
      throw new AuthClientError({
        code: 'network_error',
        detail: 'The passkey support could not be loaded.',
        status: 0,
      });
    },
  );
  requireWebAuthn();
  return getPasskeyAssertion(await passkeyApi.signInOptions());
}
