import { listLiveSessions } from '@/db/queries/sessions';
import type { AuthContext } from '../context';

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
