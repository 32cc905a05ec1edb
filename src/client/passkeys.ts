import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/browser';
import type * as WebAuthnModule from '@simplewebauthn/browser';
import {
  AuthClientError,
  asTokenAnswer,
  postForDetail,
  requestJson,
  unreadableAnswer,
} from './api';
import type { SignInResult } from './context';
import type { ProviderParts } from './lazy';
import { startSession } from './refresh';
import { browserHasWebAuthn } from './webauthn';
import type { PasskeyInfo, TokenAnswer } from './types';

// Passkeys in the browser (docs/contract.md section 9) over @simplewebauthn/browser. This module
// is itself imported on first use (lazy.ts), and the library only when a ceremony
// runs: a page that signs in with a password downloads neither (the same rule as oidc-client-ts
// in cognito.ts). Type imports cost nothing at run time.

/**
 * Whether the browser offers passkeys in the username field's autofill (conditional mediation),
 * asked of the browser directly so that the library is loaded only when the answer is yes.
 */
export async function browserHasPasskeyAutofill(): Promise<boolean> {
  if (!browserHasWebAuthn()) return false;
  const check = (
    window.PublicKeyCredential as unknown as {
      isConditionalMediationAvailable?: () => Promise<boolean>;
    }
  ).isConditionalMediationAvailable;
  if (typeof check !== 'function') return false;
  try {
    return await check.call(window.PublicKeyCredential);
  } catch {
    return false;
  }
}

/** The error codes of the browser's side of a ceremony (the server's are the contract's). */
export const PASSKEY_ERROR_CODES = {
  /** The user closed or dismissed the browser's prompt, it timed out, or the page aborted it. */
  cancelled: 'passkey_cancelled',
  /** This browser has no WebAuthn, or the page is not a secure context. */
  unsupported: 'passkey_unsupported',
  /** Registration: this authenticator already holds a passkey for this account. */
  exists: 'passkey_exists',
  /** Anything else the browser or the authenticator refused. */
  failed: 'passkey_failed',
} as const;

export function browserError(code: string, detail: string): AuthClientError {
  return new AuthClientError({ code, detail, status: 0 });
}

/**
 * Fails early where the browser has no WebAuthn, before a challenge is asked of the server.
 * @throws AuthClientError `passkey_unsupported`.
 */
export function requireWebAuthn(): void {
  if (!browserHasWebAuthn())
    throw browserError(PASSKEY_ERROR_CODES.unsupported, 'This browser cannot use passkeys.');
}

/** The error thrown when a call was aborted before its ceremony started. */
export function abortedError(): AuthClientError {
  return browserError(PASSKEY_ERROR_CODES.cancelled, 'The passkey sign-in was stopped.');
}

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
    if (typeof data?.challenge !== 'string') throw unreadableAnswer();
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
    if (typeof data?.id !== 'string') throw unreadableAnswer();
    return data;
  },
  /** GET /auth/passkeys/ (Bearer): the user's passkeys, newest first. */
  async list(accessToken: string): Promise<PasskeyInfo[]> {
    const { data } = await requestJson<{ passkeys?: PasskeyInfo[] } | null>('/passkeys/', {
      method: 'GET',
      accessToken,
    });
    if (!Array.isArray(data?.passkeys)) throw unreadableAnswer();
    return data.passkeys;
  },
  /** POST /auth/passkeys/delete/ (Bearer): `{ detail }`. */
  remove: (accessToken: string, id: string, password?: string) =>
    postForDetail(
      '/passkeys/delete/',
      password === undefined ? { id } : { id, password },
      accessToken,
    ),
  /** POST /auth/passkeys/sign-in/options/: the options for startAuthentication() (no user named). */
  async signInOptions(): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const { data } = await requestJson<PublicKeyCredentialRequestOptionsJSON>(
      '/passkeys/sign-in/options/',
    );
    if (typeof data?.challenge !== 'string') throw unreadableAnswer();
    return data;
  },
  /** POST /auth/passkeys/sign-in/: answered exactly as sign-in (tokens and cookies). */
  async signIn(response: AuthenticationResponseJSON): Promise<TokenAnswer> {
    return asTokenAnswer(
      (await requestJson<unknown>('/passkeys/sign-in/', { body: { response } })).data,
    );
  },
};

/** The browser's own outcomes (a closed prompt, no WebAuthn): not the session's error. */
const BROWSER_CODES: ReadonlySet<string> = new Set(Object.values(PASSKEY_ERROR_CODES));

/**
 * The passkey sign-ins of useAuth() (docs/client.md), built on the provider's parts: errors as
 * results with source `passkeys`. A passkey sign-in takes its answer exactly as signIn() takes a
 * password sign-in's (under the refresh lock, into the state, told to the other tabs), and only
 * the server's refusals go into the state's `error`, as a failed password sign-in's do.
 */
export function passkeySignInMembers({ signInWith, reportError }: ProviderParts) {
  const passkeySignIn = async (
    autofill: boolean,
    signal: AbortSignal | undefined,
  ): Promise<SignInResult> => {
    const result = await signInWith('passkeys', async () => {
      requireWebAuthn();
      if (autofill && !(await browserHasPasskeyAutofill()))
        throw browserError(
          PASSKEY_ERROR_CODES.unsupported,
          'This browser does not offer passkeys in autofill.',
        );
      if (signal?.aborted) throw abortedError();
      const options = await passkeyApi.signInOptions();
      const response = await getPasskeyAssertion(options, { autofill, signal });
      return startSession(() => passkeyApi.signIn(response));
    });
    if (!result.ok && !BROWSER_CODES.has(result.error.code))
      reportError({ ...result.error, source: 'sign-in' });
    return result;
  };
  return {
    signInWithPasskey: ({ signal }: { signal?: AbortSignal } = {}) => passkeySignIn(false, signal),
    startPasskeyAutofill: ({ signal }: { signal?: AbortSignal } = {}) =>
      passkeySignIn(true, signal),
  };
}

/** Passkey management for the signed-in user (errors as results with source `passkeys`). */
export function passkeyMembers({ attempt, withBearer }: ProviderParts) {
  return {
    registerPasskey: (name?: string) =>
      attempt('passkeys', async () => {
        requireWebAuthn();
        const options = await withBearer((token) => passkeyApi.registrationOptions(token));
        const response = await createPasskey(options);
        return withBearer((token) => passkeyApi.register(token, response, name));
      }),
    listPasskeys: () => attempt('passkeys', () => withBearer((token) => passkeyApi.list(token))),
    deletePasskey: (id: string) =>
      attempt('passkeys', async () => ({
        detail: await withBearer((token) => passkeyApi.remove(token, id)),
      })),
  };
}
