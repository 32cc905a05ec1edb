import { verifyBearer } from '../bearer';
import { requestEmailChange, resendVerification, verifyEmail } from '../accounts/email';
import { defineHandler } from './define-handler';
import { secondStepResponse } from './mfa';
import { acceptedWithMail } from './outbox';
import { emailBody, emailChangeBody, mailedTokenBody } from './schemas';
import { tokenResponse } from './token-response';

/**
 * POST /auth/email/verify/ — a verification or e-mail change link: verified, and signed in (for a
 * user with TOTP on, the second step instead, with no cookie). The session of the refresh cookie
 * the browser already had ends when the new one replaces it (not with two refresh cookies: which
 * one is the browser's cannot be told).
 */
export const verifyEmailHandler = defineHandler({
  method: 'POST',
  body: mailedTokenBody,
  sameSiteOnly: true,
  async handle({ body, ctx, client, cookies, secure }) {
    const browserRefreshToken = cookies.duplicated ? null : cookies.refreshToken;
    const outcome = await verifyEmail(ctx, body.token, client, new Date(), { browserRefreshToken });
    if (outcome.secondStep) return secondStepResponse(outcome.secondStep);
    return tokenResponse(ctx, outcome, secure);
  },
});

/** POST /auth/email/resend/ — 202 always; a new link when an unverified account has the address. */
export const resendVerificationHandler = defineHandler({
  method: 'POST',
  body: emailBody,
  sameSiteOnly: true,
  async handle({ body, ctx, client }) {
    const outbox = await resendVerification(ctx, body.email, client);
    return acceptedWithMail(
      ctx,
      outbox,
      client,
      'If an account with this address is waiting for confirmation, a new link is on its way.',
    );
  },
});

/** POST /auth/email/change/ (Bearer) — 202; the link goes to the new address, a notice to the old. */
export const emailChangeHandler = defineHandler({
  method: 'POST',
  body: emailChangeBody,
  sameSiteOnly: true,
  async handle({ request, body, ctx, client }) {
    const claims = await verifyBearer(ctx, request.headers);
    const outbox = await requestEmailChange(
      ctx,
      claims,
      { newEmail: body.new_email, password: body.password },
      client,
    );
    return acceptedWithMail(
      ctx,
      outbox,
      client,
      'Check the new address for a link that confirms the change. Until it is opened, your address stays as it is.',
    );
  },
});
