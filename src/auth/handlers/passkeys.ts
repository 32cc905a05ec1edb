import { verifyBearer } from '../bearer';
import { deviceCookie, readKnownDevices } from '../cookies/device';
import {
  deleteOwnPasskey,
  listOwnPasskeys,
  passkeyRegistrationOptions,
  registerPasskey,
} from '../passkeys/manage';
import { passkeysAvailable } from '../passkeys/relying-party';
import { passkeySignIn, passkeySignInOptions } from '../passkeys/sign-in';
import { defineHandler } from './define-handler';
import {
  confirmWithPasswordBody,
  passkeyDeleteBody,
  passkeyRegisterBody,
  passkeySignInBody,
} from './mfa-schemas';
import { respond } from './respond';
import { emptyBody } from './schemas';
import { tokenResponse } from './token-response';

// The passkey endpoints (docs/contract.md section 9). Without a relying party WebAuthn can use
// (no AUTH_APP_URL, or an IP address) the ceremonies answer 404; listing and deleting the
// passkeys a user already has always work.

/** GET /auth/passkeys/ (Bearer) — `{ passkeys: [{ id, name, created, last_used }] }`. */
export const passkeysHandler = defineHandler({
  method: 'GET',
  async handle({ request, ctx }) {
    const claims = await verifyBearer(ctx, request.headers);
    return respond({ passkeys: await listOwnPasskeys(ctx, claims) });
  },
});

/** POST /auth/passkeys/register/options/ (Bearer) — the options for startRegistration(). */
export const passkeyRegisterOptionsHandler = defineHandler({
  method: 'POST',
  body: confirmWithPasswordBody,
  sameSiteOnly: true,
  enabled: passkeysAvailable,
  async handle({ request, body, ctx, client }) {
    const claims = await verifyBearer(ctx, request.headers);
    return respond(
      await passkeyRegistrationOptions(ctx, claims, { password: body.password }, client),
    );
  },
});

/** POST /auth/passkeys/register/ (Bearer) — `{ response, name? }`: the new passkey. */
export const passkeyRegisterHandler = defineHandler({
  method: 'POST',
  body: passkeyRegisterBody,
  sameSiteOnly: true,
  enabled: passkeysAvailable,
  async handle({ request, body, ctx, client }) {
    const claims = await verifyBearer(ctx, request.headers);
    const passkey = await registerPasskey(
      ctx,
      claims,
      { response: body.response, name: body.name },
      client,
    );
    return respond(passkey, { status: 201 });
  },
});

/** POST /auth/passkeys/delete/ (Bearer) — `{ id, password? }`: one of the caller's passkeys. */
export const passkeyDeleteHandler = defineHandler({
  method: 'POST',
  body: passkeyDeleteBody,
  sameSiteOnly: true,
  async handle({ request, body, ctx, client }) {
    const claims = await verifyBearer(ctx, request.headers);
    await deleteOwnPasskey(ctx, claims, { id: body.id, password: body.password }, client);
    return respond({ detail: 'The passkey is deleted.' });
  },
});

/** POST /auth/passkeys/sign-in/options/ — the options for startAuthentication() (no user named). */
export const passkeySignInOptionsHandler = defineHandler({
  method: 'POST',
  body: emptyBody,
  sameSiteOnly: true,
  enabled: passkeysAvailable,
  async handle({ ctx, client }) {
    return respond(await passkeySignInOptions(ctx, client));
  },
});

/** POST /auth/passkeys/sign-in/ — `{ response }`: answered exactly as sign-in (body and cookies). */
export const passkeySignInHandler = defineHandler({
  method: 'POST',
  body: passkeySignInBody,
  sameSiteOnly: true,
  enabled: passkeysAvailable,
  async handle({ request, body, ctx, client, secure }) {
    const now = new Date();
    const devices = readKnownDevices(ctx.config, request.headers.get('cookie'), now);
    const { device, ...issued } = await passkeySignIn(
      ctx,
      { response: body.response, devices },
      client,
      now,
    );
    const response = tokenResponse(ctx, issued, secure);
    response.headers.append('Set-Cookie', deviceCookie(ctx.config, device, devices, secure));
    return response;
  },
});
