import { authApi, AuthClientError } from './api';
import { getCsrfToken, storeTokens } from './token-store';
import type { TokenAnswer } from './types';

const LOCK = 'auth-kit.refresh';

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
  const locked = locks ? locks.request(LOCK, () => refreshNow()) : refreshNow();
  const current = (locked as Promise<TokenAnswer>).finally(() => {
    inFlight = null;
  });
  inFlight = current;
  return current;
}

/**
 * Starts a new session (`request` answers with tokens and sets the refresh cookie: a sign-in, a
 * verification link) after any refresh in flight and under the refresh's lock, and keeps its
 * tokens before letting go. Otherwise a refresh sent as the new cookie arrives would present the
 * old CSRF token with the new cookie: the server refuses the mismatch and this tab would sign
 * out of the session it has just started (the verify-email page signs in while the page's first
 * refresh is still out).
 */
export async function startSession(request: () => Promise<TokenAnswer>): Promise<TokenAnswer> {
  await inFlight?.catch(() => undefined);
  const run = async () => {
    const answer = await request();
    storeTokens(answer);
    return answer;
  };
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (!locks) return run();
  return (await locks.request(LOCK, run)) as TokenAnswer;
}
