import { getIdpVerifier } from '../idp';
import { socialExchange } from '../services/social-exchange';
import { defineHandler } from './define-handler';
import { socialExchangeBody } from './schemas';
import { tokenResponse } from './token-response';

/** POST /auth/social-exchange/ — Cognito (or OIDC) tokens for the kit's tokens, answered as sign-in. */
export const socialExchangeHandler = defineHandler({
  method: 'POST',
  body: socialExchangeBody,
  sameSiteOnly: true,
  async handle({ body, ctx, client, secure }) {
    const verifier = getIdpVerifier(ctx.config.idp);
    const issued = await socialExchange(
      ctx,
      verifier,
      { idToken: body.id_token, accessToken: body.access_token },
      client,
    );
    return tokenResponse(ctx, issued, secure);
  },
});
