import { verifyBearer } from '../bearer';
import { deleteAccount, readAccount } from '../accounts/account';
import { clearAuthCookies } from '../cookies/auth-cookies';
import { defineHandler } from './define-handler';
import { respond } from './respond';
import { accountDeleteBody } from './schemas';

/** GET /auth/account/ (Bearer) — the account: user, verified address, password, identities, MFA. */
export const accountHandler = defineHandler({
  method: 'GET',
  async handle({ request, ctx }) {
    const claims = await verifyBearer(ctx, request.headers);
    return respond(await readAccount(ctx, claims));
  },
});

/** POST /auth/account/delete/ (Bearer) — deletes the account for good and clears the cookies. */
export const accountDeleteHandler = defineHandler({
  method: 'POST',
  body: accountDeleteBody,
  sameSiteOnly: true,
  async handle({ request, body, ctx, client, secure }) {
    const claims = await verifyBearer(ctx, request.headers);
    await deleteAccount(ctx, claims, { password: body.password }, client);
    return respond(
      { detail: 'Your account is deleted.' },
      { cookies: clearAuthCookies(ctx.config, secure) },
    );
  },
});
