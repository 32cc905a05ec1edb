import { clearAuthCookies, readAuthCookies } from '../cookies/auth-cookies';
import { logoff } from '../services/logoff';
import { clientInfo } from './client';
import { refuseDuplicateCookies, requireCsrf } from './csrf';
import { defineHandler } from './define-handler';
import { respond } from './respond';
import { csrfBody } from './schemas';

/** POST /auth/logoff/ — blacklists the session of the refresh cookie and clears the cookies. */
export const logoffHandler = defineHandler({
  method: 'POST',
  body: csrfBody,
  sameSiteOnly: true,
  async handle({ request, body, ctx, secure }) {
    const cookies = readAuthCookies(ctx.config, ctx.signer, request.headers.get('cookie'));
    // Refused like refresh: with two refresh cookies, which session to end cannot be told.
    refuseDuplicateCookies(cookies);
    const { refreshToken } = cookies;
    if (refreshToken) {
      requireCsrf(ctx, { ...cookies, refreshToken }, request, body);
      await logoff(ctx, refreshToken, clientInfo(ctx.config, request));
    }
    return respond({ detail: 'Logged off.' }, { cookies: clearAuthCookies(ctx.config, secure) });
  },
});
