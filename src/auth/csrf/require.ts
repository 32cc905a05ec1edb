import { decodeJwt } from 'jose';
import type { AuthCore } from '../context';
import type { RequestAuthCookies } from '../cookies/auth-cookies';
import { CsrfFailed, TokenNotValid } from '../errors';
import { csrfTokenForSession, csrfTokensMatch } from './tokens';

/**
 * The session a refresh cookie belongs to. Its signature is checked by the service; decoding is
 * enough here because the cookie's MAC already proves this server set the value.
 */
function sessionOf(refreshToken: string): string | null {
  try {
    const { sid } = decodeJwt(refreshToken);
    return typeof sid === 'string' ? sid : null;
  } catch {
    return null;
  }
}

/**
 * Refuses a request that carries the refresh or the CSRF cookie twice (docs/contract.md section 2):
 * one of them was planted by another host, and which one is the caller's cannot be told.
 * @throws TokenNotValid (401; the endpoints that call this clear the cookies on it).
 */
function refuseDuplicateCookies(cookies: RequestAuthCookies): void {
  if (cookies.duplicated)
    throw new TokenNotValid('The request carries two refresh or two CSRF cookies.');
}

/**
 * The CSRF check of refresh and log-off, bound to the session: the token in the body
 * (`CSRF_token`) or the `X-CSRF-Token` header must equal the one in the signed CSRF cookie *and*
 * be the CSRF token of the refresh cookie's session. The second half defeats cookie tossing: a
 * refresh cookie planted by a sibling subdomain (the attacker's own session), sent next to the
 * victim's CSRF cookie and token, names another session and is refused.
 * @throws CsrfFailed (403; the cookies stay as they are).
 */
function requireCsrf(
  core: AuthCore,
  cookies: RequestAuthCookies & { refreshToken: string },
  request: Request,
  body: { CSRF_token?: string },
): void {
  const submitted = body.CSRF_token ?? request.headers.get('x-csrf-token');
  const sid = sessionOf(cookies.refreshToken);
  // Both comparisons always run: the time taken must not tell which one failed.
  const matchesCookie = csrfTokensMatch(submitted, cookies.csrfToken);
  // A cookie that names no session is no refresh token: the services refuse it (their
  // verification requires a `sid`), so nothing can be issued or revoked with it to bind to.
  const matchesSession = sid === null || csrfTokensMatch(submitted, csrfTokenForSession(core, sid));
  if (matchesCookie && matchesSession) return;
  const reason = !cookies.csrfToken
    ? 'missing_cookie'
    : !submitted
      ? 'missing_token'
      : matchesCookie
        ? 'other_session'
        : 'mismatch';
  throw new CsrfFailed(undefined, reason);
}

/**
 * The refresh cookie of a request to refresh or log off, checked as both endpoints check it: a
 * request with two refresh or two CSRF cookies is refused, and a refresh cookie is taken only
 * with the CSRF token of its own session.
 * @returns the refresh token, or null when the request carries none (there is then no session
 * to bind a CSRF token to, and nothing to refresh or end).
 * @throws TokenNotValid (401) for duplicated cookies; CsrfFailed (403) for a missing or wrong
 * CSRF token.
 */
export function checkedRefreshCookie(
  core: AuthCore,
  cookies: RequestAuthCookies,
  request: Request,
  body: { CSRF_token?: string },
): string | null {
  refuseDuplicateCookies(cookies);
  const { refreshToken } = cookies;
  if (!refreshToken) return null;
  requireCsrf(core, { ...cookies, refreshToken }, request, body);
  return refreshToken;
}
