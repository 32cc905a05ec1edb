import { deviceCookie, readKnownDevices } from '../cookies/device';
import { passwordSignIn } from '../services/sign-in';
import { defineHandler } from './define-handler';
import { secondStepResponse } from './mfa';
import { signInBody } from './schemas';
import { tokenResponse } from './token-response';

/**
 * POST /auth/sign-in/ — username and password for tokens (docs/contract.md section 2), plus the
 * device cookie that lets this browser past a username a stranger has locked (section 6); for a
 * user with TOTP on, the second step instead, with no cookie (section 9).
 */
export const signInHandler = defineHandler({
  method: 'POST',
  body: signInBody,
  sameSiteOnly: true,
  async handle({ request, body, ctx, client, secure }) {
    const now = new Date();
    const devices = readKnownDevices(ctx.config, request.headers.get('cookie'), now);
    const outcome = await passwordSignIn(
      ctx,
      { username: body.username, password: body.password, devices },
      client,
      now,
    );
    if (outcome.secondStep) return secondStepResponse(outcome.secondStep);
    const { device, ...issued } = outcome;
    const response = tokenResponse(ctx, issued, secure);
    response.headers.append('Set-Cookie', deviceCookie(ctx.config, device, devices, secure));
    return response;
  },
});
