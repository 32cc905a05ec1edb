import { verifyBearer } from '../bearer';
import { clearAuthCookies } from '../cookies/auth-cookies';
import { logoffAll } from '../sessions/end';
import { defineHandler } from './define-handler';
import { respond } from './respond';
import { emptyBody } from './schemas';

/** POST /auth/logoff-all/ — revokes every session of the caller and clears the caller's cookies. */
export const logoffAllHandler = defineHandler({
  method: 'POST',
  body: emptyBody,
  sameSiteOnly: true,
  async handle({ request, ctx, client, secure }) {
    const claims = await verifyBearer(ctx, request.headers);
    const revoked = await logoffAll(ctx, claims.user_id, client);
    return respond(
      { detail: 'Logged off everywhere.', revoked },
      { cookies: clearAuthCookies(ctx.config, secure) },
    );
  },
});
