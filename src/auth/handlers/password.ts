import { verifyBearer } from '../bearer';
import { changePassword, confirmPasswordReset, requestPasswordReset } from '../accounts/password';
import { defineHandler } from './define-handler';
import { acceptedWithMail } from './outbox';
import { respond } from './respond';
import { emailBody, passwordChangeBody, passwordResetConfirmBody } from './schemas';
import { tokenResponse } from './token-response';

/** POST /auth/password-reset/ — 202 always; a reset link when an active account has the address. */
export const passwordResetHandler = defineHandler({
  method: 'POST',
  body: emailBody,
  sameSiteOnly: true,
  enabled: (config) => config.passwordReset,
  async handle({ body, ctx, client }) {
    const outbox = await requestPasswordReset(ctx, body.email, client);
    return acceptedWithMail(
      ctx,
      outbox,
      client,
      'If an account has this address, a link to set a new password is on its way.',
    );
  },
});

/** POST /auth/password-reset/confirm/ — the new password; every session of the user ends. */
export const passwordResetConfirmHandler = defineHandler({
  method: 'POST',
  body: passwordResetConfirmBody,
  sameSiteOnly: true,
  enabled: (config) => config.passwordReset,
  async handle({ body, ctx, client }) {
    await confirmPasswordReset(ctx, { token: body.token, password: body.password }, client);
    return respond({
      detail: 'Your new password is set, and you are signed out everywhere. Sign in with it.',
    });
  },
});

/** POST /auth/password/ (Bearer) — a new password; new tokens here, every other session ends. */
export const passwordChangeHandler = defineHandler({
  method: 'POST',
  body: passwordChangeBody,
  sameSiteOnly: true,
  async handle({ request, body, ctx, client, secure }) {
    const claims = await verifyBearer(ctx, request.headers);
    const issued = await changePassword(
      ctx,
      claims,
      { currentPassword: body.current_password, newPassword: body.new_password },
      client,
    );
    return tokenResponse(ctx, issued, secure);
  },
});
