import type { RequestAuthCookies } from '../cookies/auth-cookies';
import { csrfTokensMatch } from '../csrf/tokens';
import { CsrfFailed } from '../errors';

/**
 * The double-submit check for cookie-bearing requests: the token in the body (`CSRF_token`) or
 * the `X-CSRF-Token` header must equal the one in the signed CSRF cookie.
 * @throws CsrfFailed (403).
 */
export function requireCsrf(
  cookies: RequestAuthCookies,
  request: Request,
  body: { CSRF_token?: string },
): void {
  const submitted = body.CSRF_token ?? request.headers.get('x-csrf-token');
  if (csrfTokensMatch(submitted, cookies.csrfToken)) return;
  const reason = !cookies.csrfToken ? 'missing_cookie' : !submitted ? 'missing_token' : 'mismatch';
  throw new CsrfFailed(undefined, reason);
}
