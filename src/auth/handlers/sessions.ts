import { verifyBearer } from '../bearer';
import { revokeOwnSession } from '../sessions/end';
import { listSessions } from '../sessions/list';
import { verifySessionToken } from '../tokens/verify';
import { defineHandler } from './define-handler';
import { respond } from './respond';
import { revokeBody } from './schemas';

/** GET /auth/sessions/ — the caller's live sessions (Bearer access token). */
export const sessionsHandler = defineHandler({
  method: 'GET',
  async handle({ request, ctx, cookies }) {
    const claims = await verifyBearer(ctx, request.headers);
    const current = verifySessionToken(ctx.keyring, cookies.sessionToken ?? undefined);
    const sessions = await listSessions(ctx, claims.user_id, current?.sid ?? null);
    return respond({
      sessions: sessions.map((s) => ({
        sid: s.sid,
        created: s.createdAt.toISOString(),
        last_used: s.lastUsedAt.toISOString(),
        user_agent: s.userAgent,
        current: s.current,
      })),
    });
  },
});

/** POST /auth/sessions/revoke/ — revokes one of the caller's sessions; 404 for anyone else's. */
export const revokeSessionHandler = defineHandler({
  method: 'POST',
  body: revokeBody,
  async handle({ request, body, ctx, client }) {
    const claims = await verifyBearer(ctx, request.headers);
    await revokeOwnSession(ctx, claims.user_id, body.sid, client);
    return respond({ detail: 'Session revoked.' });
  },
});
