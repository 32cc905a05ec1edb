import { signUp } from '../accounts/sign-up';
import { defineHandler } from './define-handler';
import { acceptedWithMail } from './outbox';
import { signUpBody } from './schemas';
import { tokenResponse } from './token-response';

/** The one answer of an accepted sign-up, whether or not the address had an account. */
export const SIGN_UP_ACCEPTED =
  'Check your inbox: we sent a link to confirm your e-mail address. It may take a minute to arrive.';

/**
 * POST /auth/sign-up/ (docs/contract.md section 8): 202 with a verification mail, or, with
 * `requireEmailVerification` off, 201 and the sign-in answer. 404 while `signUp` is off.
 */
export const signUpHandler = defineHandler({
  method: 'POST',
  body: signUpBody,
  sameSiteOnly: true,
  enabled: (config) => config.signUp,
  async handle({ body, ctx, client, secure }) {
    const result = await signUp(
      ctx,
      {
        username: body.username,
        email: body.email,
        password: body.password,
        firstName: body.first_name,
        lastName: body.last_name,
      },
      client,
    );
    if (result.status === 'accepted')
      return acceptedWithMail(ctx, result.outbox, client, SIGN_UP_ACCEPTED);
    return tokenResponse(ctx, result.issued, secure, 201);
  },
});
