import { verifyBearer } from '../bearer';
import { deviceCookie, readKnownDevices } from '../cookies/device';
import { confirmTotp, disableTotp, regenerateRecoveryCodes, setupTotp } from '../mfa/factor';
import { reauthenticate } from '../mfa/reauthenticate';
import { verifySecondStep, type SecondStepRequired } from '../mfa/second-step';
import { defineHandler } from './define-handler';
import {
  confirmWithPasswordBody,
  confirmWithPasswordOrCodeBody,
  mfaVerifyBody,
  reauthenticateBody,
  totpConfirmBody,
} from './mfa-schemas';
import { respond } from './respond';
import { tokenResponse } from './token-response';

/**
 * The first step's answer for a user with TOTP on (sign-in, social exchange): 200
 * `{ mfa_required: true, mfa_token, methods }` and no cookie (docs/contract.md section 9).
 */
export function secondStepResponse(step: SecondStepRequired): Response {
  return respond({ mfa_required: true, mfa_token: step.mfaToken, methods: step.methods });
}

/** POST /auth/mfa/totp/setup/ (Bearer) — a new secret: `{ secret, otpauth_uri, qr_svg }`. */
export const totpSetupHandler = defineHandler({
  method: 'POST',
  body: confirmWithPasswordBody,
  sameSiteOnly: true,
  async handle({ request, body, ctx, client }) {
    const claims = await verifyBearer(ctx, request.headers);
    const setup = await setupTotp(ctx, claims, { password: body.password }, client);
    return respond({ secret: setup.secret, otpauth_uri: setup.otpauthUri, qr_svg: setup.qrSvg });
  },
});

/** POST /auth/mfa/totp/confirm/ (Bearer) — `{ code }` turns TOTP on: `{ recovery_codes }`, once. */
export const totpConfirmHandler = defineHandler({
  method: 'POST',
  body: totpConfirmBody,
  sameSiteOnly: true,
  async handle({ request, body, ctx, client }) {
    const claims = await verifyBearer(ctx, request.headers);
    const { recoveryCodes } = await confirmTotp(ctx, claims, { code: body.code }, client);
    return respond({ recovery_codes: recoveryCodes });
  },
});

/** POST /auth/mfa/totp/disable/ (Bearer) — `{ password }` or `{ code }` (or a recent session). */
export const totpDisableHandler = defineHandler({
  method: 'POST',
  body: confirmWithPasswordOrCodeBody,
  sameSiteOnly: true,
  async handle({ request, body, ctx, client }) {
    const claims = await verifyBearer(ctx, request.headers);
    await disableTotp(ctx, claims, { password: body.password, code: body.code }, client);
    return respond({ detail: 'Two-factor authentication is off.' });
  },
});

/** POST /auth/mfa/recovery-codes/regenerate/ (Bearer) — ten new recovery codes, the old ones void. */
export const recoveryCodesHandler = defineHandler({
  method: 'POST',
  body: confirmWithPasswordOrCodeBody,
  sameSiteOnly: true,
  async handle({ request, body, ctx, client }) {
    const claims = await verifyBearer(ctx, request.headers);
    const { recoveryCodes } = await regenerateRecoveryCodes(
      ctx,
      claims,
      { password: body.password, code: body.code },
      client,
    );
    return respond({ recovery_codes: recoveryCodes });
  },
});

/**
 * POST /auth/mfa/verify/ — `{ mfa_token, code }` or `{ mfa_token, recovery_code }`: the second
 * step of sign-in, answered exactly as sign-in (body and cookies).
 */
export const mfaVerifyHandler = defineHandler({
  method: 'POST',
  body: mfaVerifyBody,
  sameSiteOnly: true,
  async handle({ request, body, ctx, client, secure }) {
    const now = new Date();
    const devices = readKnownDevices(ctx.config, request.headers.get('cookie'), now);
    const { device, ...issued } = await verifySecondStep(
      ctx,
      {
        mfaToken: body.mfa_token,
        code: body.code,
        recoveryCode: body.recovery_code,
        devices,
      },
      client,
      now,
    );
    const response = tokenResponse(ctx, issued, secure);
    // The device cookie as POST /auth/sign-in/ sets it, when the first step was a password.
    if (device)
      response.headers.append('Set-Cookie', deviceCookie(ctx.config, device, devices, secure));
    return response;
  },
});

/**
 * POST /auth/reauthenticate/ (Bearer) — `{ password }`, `{ code }` or `{ response }` (a passkey):
 * a fresh `auth_time` for the session, answered with new tokens as sign-in answers.
 */
export const reauthenticateHandler = defineHandler({
  method: 'POST',
  body: reauthenticateBody,
  sameSiteOnly: true,
  async handle({ request, body, ctx, client, secure }) {
    const claims = await verifyBearer(ctx, request.headers);
    const issued = await reauthenticate(
      ctx,
      claims,
      { password: body.password, code: body.code, response: body.response },
      client,
    );
    return tokenResponse(ctx, issued, secure);
  },
});
