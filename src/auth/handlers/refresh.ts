import { readAuthCookies } from '../cookies/auth-cookies';
import { TokenNotValid } from '../errors';
import { refreshTokens } from '../services/refresh';
import { clientInfo } from './client';
import { refuseDuplicateCookies, requireCsrf } from './csrf';
import { defineHandler } from './define-handler';
import { csrfBody } from './schemas';
import { tokenResponse } from './token-response';

/** POST /auth/refresh/ — the refresh cookie for new tokens, rotated (docs/contract.md section 2). */
export const refreshHandler = defineHandler({
  method: 'POST',
  body: csrfBody,
  sameSiteOnly: true,
  async handle({ request, body, ctx, secure }) {
    const cookies = readAuthCookies(ctx.config, ctx.signer, request.headers.get('cookie'));
    refuseDuplicateCookies(cookies);
    const { refreshToken } = cookies;
    if (!refreshToken)
      throw new TokenNotValid('No valid refresh token was provided.', { clearCookies: true });
    requireCsrf(ctx, { ...cookies, refreshToken }, request, body);
    const issued = await refreshTokens(ctx, refreshToken, clientInfo(ctx.config, request));
    return tokenResponse(ctx, issued, secure);
  },
});
