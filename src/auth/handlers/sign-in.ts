import { signIn } from '../services/sign-in';
import { clientInfo } from './client';
import { defineHandler } from './define-handler';
import { signInBody } from './schemas';
import { tokenResponse } from './token-response';

/** POST /auth/sign-in/ — username and password for tokens (CONTRACT.md section 2). */
export const signInHandler = defineHandler({
  method: 'POST',
  body: signInBody,
  sameSiteOnly: true,
  async handle({ request, body, ctx, secure }) {
    const issued = await signIn(
      ctx,
      { username: body.username, password: body.password },
      clientInfo(ctx.config, request),
    );
    return tokenResponse(ctx, issued, secure);
  },
});
