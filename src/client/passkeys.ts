import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/browser';
import type * as WebAuthnModule from '@simplewebauthn/browser';
import { AuthClientError, asTokenAnswer, requestJson } from './api';
import {
  PASSKEY_ERROR_CODES,
  abortedError,
  browserError,
  requireWebAuthn,
} from './passkey-support';
import type { PasskeyInfo, TokenAnswer } from './types';

// Passkeys in the browser (docs/contract.md section 9) over @simplewebauthn/browser. This module
// is itself imported on first use (passkey-members.ts), and the library only when a ceremony
// runs: a page that signs in with a password downloads neither (the same rule as oidc-client-ts
// in oidc.ts). Type imports cost nothing at run time.

type WebAuthnBrowser = typeof WebAuthnModule;

let library: Promise<WebAuthnBrowser> | null = null;

/** @simplewebauthn/browser, imported on first use; a chunk that failed to load is tried again next time. */
export function loadWebAuthn(): Promise<WebAuthnBrowser> {
  library ??= import('@simplewebauthn/browser');
  library.catch(() => {
    library = null;
  });
  return library;
}

/**
 * What the browser's refusal of a ceremony means, as an AuthClientError with a code the pages can
 * word (the DOMException names of the WebAuthn specification, as @simplewebauthn/browser passes
 * them on in a WebAuthnError's `name` and `code`).
 */
export function toPasskeyError(error: unknown): AuthClientError {
  if (error instanceof AuthClientError) return error;
  const {
    name = '',
    code = '',
    message = '',
  } = (error ?? {}) as {
    name?: string;
    code?: string;
    message?: string;
  };
  // NotAllowedError is what every browser answers to a closed prompt and to a timeout (the
  // specification makes them indistinguishable on purpose); AbortError to the page's own abort.
  if (name === 'NotAllowedError' || name === 'AbortError' || code === 'ERROR_CEREMONY_ABORTED')
    return browserError(PASSKEY_ERROR_CODES.cancelled, 'The passkey prompt was closed.');
  if (code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED' || name === 'InvalidStateError')
    return browserError(
      PASSKEY_ERROR_CODES.exists,
      'This device already has a passkey for this account.',
    );
  if (
    name === 'NotSupportedError' ||
    name === 'SecurityError' ||
    /not supported/i.test(message) ||
    code === 'ERROR_INVALID_DOMAIN'
  )
    return browserError(PASSKEY_ERROR_CODES.unsupported, 'This browser cannot use passkeys here.');
  return browserError(PASSKEY_ERROR_CODES.failed, message || 'The passkey did not work.');
}

// The library runs one ceremony at a time and aborts the old one when a new one starts; a page's
// abort (an autofill request the user no longer needs) must stop its own ceremony only, never
// one that replaced it.
let currentRun = 0;

/**
 * Runs one browser ceremony, turning its refusal into an AuthClientError. `signal` aborts it
 * while it is the current one (the page's own abort reads as `passkey_cancelled`).
 */
async function ceremony<T>(
  run: (webauthn: WebAuthnBrowser) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  requireWebAuthn();
  let webauthn: WebAuthnBrowser;
  try {
    webauthn = await loadWebAuthn();
  } catch {
    throw new AuthClientError({
      code: 'network_error',
      detail: 'The passkey support could not be loaded.',
      status: 0,
    });
  }
  if (signal?.aborted) throw abortedError();
  const mine = ++currentRun;
  const abort = () => {
    if (mine === currentRun) webauthn.WebAuthnAbortService.cancelCeremony();
  };
  signal?.addEventListener('abort', abort, { once: true });
  try {
    return await run(webauthn);
  } catch (error) {
    throw toPasskeyError(error);
  } finally {
    signal?.removeEventListener('abort', abort);
  }
}

/** Asks the browser to create a passkey for these options (navigator.credentials.create). */
export function createPasskey(
  optionsJSON: PublicKeyCredentialCreationOptionsJSON,
): Promise<RegistrationResponseJSON> {
  return ceremony((webauthn) => webauthn.startRegistration({ optionsJSON }));
}

/**
 * Asks the browser for a passkey assertion (navigator.credentials.get): a prompt, or with
 * `autofill` the conditional request behind the username field's autofill, which waits until the
 * user picks a passkey there. `signal` aborts it.
 */
export function getPasskeyAssertion(
  optionsJSON: PublicKeyCredentialRequestOptionsJSON,
  { autofill = false, signal }: { autofill?: boolean; signal?: AbortSignal } = {},
): Promise<AuthenticationResponseJSON> {
  return ceremony(
    (webauthn) => webauthn.startAuthentication({ optionsJSON, useBrowserAutofill: autofill }),
    signal,
  );
}

function unreadable(): AuthClientError {
  return new AuthClientError({
    code: 'network_error',
    detail: "The server's answer could not be read.",
    status: 0,
  });
}

/** The passkey endpoints as the client calls them (docs/endpoints.md). */
export const passkeyApi = {
  /** POST /auth/passkeys/register/options/ (Bearer): the options for startRegistration(). */
  async registrationOptions(
    accessToken: string,
    password?: string,
  ): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const { data } = await requestJson<PublicKeyCredentialCreationOptionsJSON>(
      '/passkeys/register/options/',
      { body: password === undefined ? {} : { password }, accessToken },
    );
    if (typeof data?.challenge !== 'string') throw unreadable();
    return data;
  },
  /** POST /auth/passkeys/register/ (Bearer): 201 with the new passkey. */
  async register(
    accessToken: string,
    response: RegistrationResponseJSON,
    name?: string,
  ): Promise<PasskeyInfo> {
    const body = name?.trim() ? { response, name: name.trim() } : { response };
    const { data } = await requestJson<PasskeyInfo>('/passkeys/register/', { body, accessToken });
    if (typeof data?.id !== 'string') throw unreadable();
    return data;
  },
  /** GET /auth/passkeys/ (Bearer): the user's passkeys, newest first. */
  async list(accessToken: string): Promise<PasskeyInfo[]> {
    const { data } = await requestJson<{ passkeys?: PasskeyInfo[] } | null>('/passkeys/', {
      method: 'GET',
      accessToken,
    });
    if (!Array.isArray(data?.passkeys)) throw unreadable();
    return data.passkeys;
  },
  /** POST /auth/passkeys/delete/ (Bearer): `{ detail }`. */
  async remove(accessToken: string, id: string, password?: string): Promise<string> {
    const { data } = await requestJson<{ detail?: unknown } | null>('/passkeys/delete/', {
      body: password === undefined ? { id } : { id, password },
      accessToken,
    });
    return typeof data?.detail === 'string' ? data.detail : '';
  },
  /** POST /auth/passkeys/sign-in/options/: the options for startAuthentication() (no user named). */
  async signInOptions(): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const { data } = await requestJson<PublicKeyCredentialRequestOptionsJSON>(
      '/passkeys/sign-in/options/',
    );
    if (typeof data?.challenge !== 'string') throw unreadable();
    return data;
  },
  /** POST /auth/passkeys/sign-in/: answered exactly as sign-in (tokens and cookies). */
  async signIn(response: AuthenticationResponseJSON): Promise<TokenAnswer> {
    return asTokenAnswer(
      (await requestJson<unknown>('/passkeys/sign-in/', { body: { response } })).data,
    );
  },
  /** POST /auth/reauthenticate/ (Bearer): a fresh `auth_time`, answered with new tokens. */
  async reauthenticate(
    accessToken: string,
    proof: { password: string } | { code: string } | { response: AuthenticationResponseJSON },
  ): Promise<TokenAnswer> {
    return asTokenAnswer(
      (await requestJson<unknown>('/reauthenticate/', { body: proof, accessToken })).data,
    );
  },
};
