/**
 * A wait in words, for people: `Retry-After: 899` is "15 minutes", 42 is "42 seconds", 5400 is
 * "1 hour 30 minutes". Minutes round up, so the user is never told to come back too early.
 * @example `Try again in ${formatWait(error.retryAfter)}.`
 */
export function formatWait(seconds: number | undefined): string {
  if (!seconds || !Number.isFinite(seconds) || seconds <= 0) return 'a moment';
  const plural = (count: number, unit: string) => `${count} ${unit}${count === 1 ? '' : 's'}`;
  if (seconds < 60) return plural(Math.ceil(seconds), 'second');
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return plural(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? plural(hours, 'hour') : `${plural(hours, 'hour')} ${plural(rest, 'minute')}`;
}

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
