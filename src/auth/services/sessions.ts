import { listLiveSessions, revokeSession, sessionBelongsTo } from '@/db/queries/sessions';
import type { AuthContext } from '../context';
import { NotFound } from '../errors';
import { emitAuthEvent } from '../events';
import type { ClientInfo } from '../client-info';

/** Lists a user's live sessions, marking the caller's own. */
export async function listSessions(
  ctx: AuthContext,
  userId: number,
  currentSid: string | null,
  now = new Date(),
) {
  const sessions = await listLiveSessions(ctx.db, userId, now);
  return sessions.map((s) => ({ ...s, current: s.sid === currentSid }));
}

/**
 * Revokes one of the user's own sessions; revoking an already revoked one is a no-op.
 * @throws NotFound when the session is not the user's.
 */
export async function revokeOwnSession(
  ctx: AuthContext,
  userId: number,
  sid: string,
  client: ClientInfo,
): Promise<void> {
  if (await revokeSession(ctx.db, sid, userId)) {
    await emitAuthEvent(ctx.config, {
      type: 'session.revoked',
      userId,
      sid,
      address: client.address,
    });
    return;
  }
  if (!(await sessionBelongsTo(ctx.db, sid, userId))) throw new NotFound('No such session.');
}
