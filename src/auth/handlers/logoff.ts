import { clearAuthCookies, readAuthCookies } from '../cookies/auth-cookies';
import { logoff } from '../services/logoff';
import { clientInfo } from './client';
import { requireCsrf } from './csrf';
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
    if (cookies.refreshToken) {
      requireCsrf(cookies, request, body);
      await logoff(ctx, cookies.refreshToken, clientInfo(ctx.config, request));
    }
    return respond({ detail: 'Logged off.' }, { cookies: clearAuthCookies(ctx.config, secure) });
  },
});
