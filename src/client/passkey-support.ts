import { AuthClientError } from './api';

// What the provider needs of passkeys before any passkey flow runs: whether the browser has them,
// and the codes of the browser's own outcomes. Small on purpose: it ships with the provider,
// while passkeys.ts and @simplewebauthn/browser are loaded when a flow runs.

/**
 * Whether this browser has WebAuthn at all, without loading the library (the same test as its
 * browserSupportsWebAuthn()): pages use it to show or hide a passkey button.
 */
export function browserHasWebAuthn(): boolean {
  return (
    typeof window !== 'undefined' &&
    typeof window.PublicKeyCredential === 'function' &&
    typeof navigator.credentials?.get === 'function'
  );
}

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
