import { clearAuthCookies } from '../cookies/auth-cookies';
import { logoff } from '../sessions/end';
import { checkedRefreshCookie } from '../csrf/require';
import { defineHandler } from './define-handler';
import { respond } from './respond';
import { csrfBody } from './schemas';

/** POST /auth/logoff/ — blacklists the session of the refresh cookie and clears the cookies. */
export const logoffHandler = defineHandler({
  method: 'POST',
  body: csrfBody,
  sameSiteOnly: true,
  clearCookiesOnInvalidToken: true,
  async handle({ request, body, ctx, cookies, client, secure }) {
    // Checked like refresh: with two refresh cookies, which session to end cannot be told.
    const refreshToken = checkedRefreshCookie(ctx, cookies, request, body);
    if (refreshToken) await logoff(ctx, refreshToken, client);
    return respond({ detail: 'Logged off.' }, { cookies: clearAuthCookies(ctx.config, secure) });
  },
});
