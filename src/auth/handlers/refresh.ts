import { TokenNotValid } from '../errors';
import { refreshTokens } from '../sessions/rotate';
import { checkedRefreshCookie } from '../csrf/require';
import { defineHandler } from './define-handler';
import { csrfBody } from './schemas';
import { tokenResponse } from './token-response';

/** POST /auth/refresh/ — the refresh cookie for new tokens, rotated (docs/contract.md section 2). */
export const refreshHandler = defineHandler({
  method: 'POST',
  body: csrfBody,
  sameSiteOnly: true,
  clearCookiesOnInvalidToken: true,
  async handle({ request, body, ctx, cookies, client, secure }) {
    const refreshToken = checkedRefreshCookie(ctx, cookies, request, body);
    if (!refreshToken) throw new TokenNotValid('No valid refresh token was provided.');
    const issued = await refreshTokens(ctx, refreshToken, client);
    return tokenResponse(ctx, issued, secure);
  },
});
