import { verifyToken } from '../services/verify';
import { defineHandler } from './define-handler';
import { respond } from './respond';
import { verifyBody } from './schemas';

/** POST /auth/verify/ — 200 `{}` for a valid, non-blacklisted token of this server. */
export const verifyHandler = defineHandler({
  method: 'POST',
  body: verifyBody,
  async handle({ body, ctx }) {
    await verifyToken(ctx, body.token);
    return respond({});
  },
});
