import { getIdpVerifier } from '../idp';
import { socialExchange } from '../services/social-exchange';
import { defineHandler } from './define-handler';
import { secondStepResponse } from './mfa';
import { socialExchangeBody } from './schemas';
import { tokenResponse } from './token-response';

/**
 * POST /auth/social-exchange/ — Cognito (or OIDC) tokens for the kit's tokens, answered as
 * sign-in; for a user with TOTP on, the second step instead (docs/contract.md section 9).
 */
export const socialExchangeHandler = defineHandler({
  method: 'POST',
  body: socialExchangeBody,
  sameSiteOnly: true,
  async handle({ body, ctx, client, secure }) {
    const verifier = getIdpVerifier(ctx.config.idp);
    const outcome = await socialExchange(
      ctx,
      verifier,
      { idToken: body.id_token, accessToken: body.access_token },
      client,
    );
    if (outcome.secondStep) return secondStepResponse(outcome.secondStep);
    return tokenResponse(ctx, outcome, secure);
  },
});
