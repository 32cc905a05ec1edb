import { authApi, AuthClientError } from './api';
import { getCsrfToken, storeTokens } from './token-store';
import type { TokenAnswer } from './types';

let inFlight: Promise<TokenAnswer> | null = null;

async function refreshNow(): Promise<TokenAnswer> {
  const csrfToken = getCsrfToken();
  if (!csrfToken)
    throw new AuthClientError({ code: 'token_not_valid', detail: 'Not signed in.', status: 401 });
  const answer = await authApi.refresh(csrfToken);
  storeTokens(answer);
  return answer;
}

/**
 * Refreshes through the HttpOnly cookie. Calls in one tab collapse into one request; across tabs
 * the Web Locks API serialises them, so two tabs never present the same refresh cookie at once
 * (where Web Locks is missing, the server's reuse grace window covers the race).
 * @throws AuthClientError with the server's code.
 */
export function refreshTokens(): Promise<TokenAnswer> {
  if (inFlight) return inFlight;
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  const locked = locks ? locks.request('auth-kit.refresh', () => refreshNow()) : refreshNow();
  const current = (locked as Promise<TokenAnswer>).finally(() => {
    inFlight = null;
  });
  inFlight = current;
  return current;
}
