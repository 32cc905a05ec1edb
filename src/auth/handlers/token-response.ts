import type { AuthCore } from '../context';
import { setAuthCookies } from '../cookies/auth-cookies';
import type { IssuedTokens } from '../sessions/issue';
import { respond } from './respond';

/**
 * The answer of sign-in, refresh and social exchange: `{ access_token, expires, CSRF_token, user? }`
 * in the body; the refresh, CSRF and session cookies set. `status` is 201 for a sign-up that signs
 * the new account in.
 */
export function tokenResponse(
  core: AuthCore,
  issued: IssuedTokens,
  secure: boolean,
  status = 200,
): Response {
  const body = {
    access_token: issued.accessToken,
    expires: issued.expires,
    CSRF_token: issued.csrfToken,
    ...(issued.user ? { user: issued.user } : {}),
  };
  const cookies = setAuthCookies(
    core.config,
    core.signer,
    {
      refreshToken: issued.refreshToken,
      csrfToken: issued.csrfToken,
      sessionToken: issued.sessionToken,
      expiresAt: issued.refreshExpires,
    },
    secure,
  );
  return respond(body, { status, cookies });
}
