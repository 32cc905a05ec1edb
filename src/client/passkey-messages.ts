import { formatWait } from './messages';
import type { AuthClientErrorInfo } from './types';

// The words for the passkey flows' errors: in their own module, so that a page loads them with its
// passkey section (the demo's PasskeySignIn is imported only where the server offers passkeys).

/** A passkey flow, for the words of its errors. */
export type PasskeyAction = 'sign-in' | 'register' | 'remove' | 'confirm';

/** Whether the user closed the browser's passkey prompt (or it timed out, or the page stopped it). */
export function isPasskeyCancel(error: AuthClientErrorInfo | null | undefined): boolean {
  return error?.code === 'passkey_cancelled';
}

/**
 * What to tell a person when a passkey flow fails, by the error's code: the browser's outcomes
 * (a closed prompt is no failure: it says nothing happened) and the server's answers, as
 * sentences that say what to do next, never a status code or an exception's text.
 * @example setMessage(describePasskeyError(result.error, 'register'))
 */
export function describePasskeyError(
  error: AuthClientErrorInfo,
  action: PasskeyAction = 'sign-in',
): string {
  switch (error.code) {
    case 'passkey_cancelled':
      return action === 'sign-in'
        ? 'No passkey was used. You can try again, or sign in with your password.'
        : 'The passkey prompt was closed. Nothing was changed.';
    case 'passkey_unsupported':
      return action === 'sign-in'
        ? 'This browser cannot use passkeys here. Sign in with your password instead.'
        : 'This browser cannot use passkeys here. Try another browser or device.';
    case 'passkey_exists':
      return 'This device already has a passkey for your account. Use it to sign in, or remove the old one first.';
    case 'passkey_failed':
      return 'Your device could not use the passkey. Try again, or use another way.';
    case 'authentication_failed':
      return action === 'sign-in'
        ? 'That passkey is not recognised here (it may have been removed). Sign in with your password instead.'
        : 'That passkey is not one of yours here. Try another way to confirm.';
    case 'invalid_request': {
      const field = error.errors?.response ?? error.errors?.password ?? error.errors?.code;
      return field?.length ? field.join(' ') : error.detail;
    }
    case 'not_found':
      return action === 'remove'
        ? 'This passkey was already removed.'
        : 'Passkeys are not available on this server.';
    case 'throttled':
      return `Too many attempts. Try again in ${formatWait(error.retryAfter)}.`;
    case 'service_unavailable':
      return `The service is briefly unavailable. Try again in ${formatWait(error.retryAfter)}.`;
    case 'network_error':
      return 'We could not reach the server. Check your connection and try again.';
    case 'token_not_valid':
      return 'Your session has ended. Sign in again to continue.';
    case 'csrf_failed':
      return 'This page is out of date. Reload it and try again.';
    case 'server_error':
    case 'client_error':
      return 'Something went wrong. Try again in a moment.';
    default:
      return error.detail;
  }
}
