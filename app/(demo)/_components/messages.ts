import { formatWait, type AuthClientErrorInfo } from '@/client';

/**
 * What the demo tells a person when a call fails, by the contract's error code: a sentence
 * that says what happened and what to do, never a status code or a number of seconds.
 */
export function describeError(error: AuthClientErrorInfo): string {
  switch (error.code) {
    case 'network_error':
      return 'We could not reach the server. Check your connection and try again.';
    case 'throttled':
      return `Too many attempts. Try again in ${formatWait(error.retryAfter)}.`;
    case 'service_unavailable':
      return `The service is briefly unavailable. Try again in ${formatWait(error.retryAfter)}.`;
    case 'token_not_valid':
      return 'Your session has ended. Sign in again to continue.';
    case 'csrf_failed':
      return 'This page is out of date. Reload it and try again.';
    case 'invalid_token':
      return 'This link has expired or has already been used.';
    case 'invalid_request':
      return error.errors ? 'Check the highlighted fields.' : error.detail;
    case 'not_found':
    case 'method_not_allowed':
      return 'This server does not offer that yet.';
    case 'payload_too_large':
      return 'That is more text than the server accepts.';
    case 'server_error':
      return 'Something went wrong on our side. Try again in a moment.';
    default:
      return error.detail;
  }
}

/** The field errors of an answer, with the fields a form does not show folded into `other`. */
export function fieldErrorsOf(
  error: AuthClientErrorInfo | null,
  fields: readonly string[],
): { byField: Record<string, string[]>; other: string[] } {
  const byField: Record<string, string[]> = {};
  const other: string[] = [];
  for (const [field, messages] of Object.entries(error?.errors ?? {})) {
    if (fields.includes(field)) byField[field] = messages;
    else other.push(...messages);
  }
  return { byField, other };
}
