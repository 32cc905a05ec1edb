import { formatWait } from './messages';
import type { AuthClientErrorInfo } from './types';

// The words for the second factors' errors (the second step, re-authentication): in their own
// module, so that a page loads them with its code form (the demo's SecondFactorForm is imported on
// demand) or its account page, not with the sign-in page.

/**
 * What to tell a person when the second step of a sign-in fails (verifySecondFactor()), by the
 * error's code: a wrong code, too many of them, an expired step (back to the password), a wait.
 * @example setMessage(describeSecondFactorError(result.error, { recoveryCode: usingRecoveryCode }))
 */
export function describeSecondFactorError(
  error: { code: string; detail: string; retryAfter?: number },
  {
    recoveryCode = false,
    firstStep = 'password',
  }: { recoveryCode?: boolean; firstStep?: 'password' | 'cognito' } = {},
): string {
  switch (error.code) {
    case 'authentication_failed':
      return recoveryCode
        ? 'That recovery code didn’t work. Check it, or use a code from your authenticator app.'
        : 'That code didn’t work. Enter the current code from your authenticator app.';
    case 'second_factor_exhausted':
      return 'Too many wrong codes: sign in again.';
    case 'second_factor_expired':
      return firstStep === 'password'
        ? 'This sign-in step has expired. Enter your password again.'
        : 'This sign-in step has expired. Sign in again.';
    case 'throttled':
      return `Too many attempts. Try again in ${formatWait(error.retryAfter)}.`;
    case 'invalid_request':
      return recoveryCode ? 'Enter one of your recovery codes.' : 'Enter the six-digit code.';
    case 'network_error':
      return 'We could not reach the server. Check your connection and try again.';
    default:
      return error.detail;
  }
}

/**
 * Whether the server asks the user to confirm it is them first (docs/contract.md section 9): a
 * sensitive action without a password and without a recent sign-in answers 400 with
 * `errors.password`. Confirm with reauthenticate(), then try the action again.
 */
export function needsReauthentication(error: AuthClientErrorInfo | null | undefined): boolean {
  return error?.code === 'invalid_request' && Boolean(error.errors?.password?.length);
}
