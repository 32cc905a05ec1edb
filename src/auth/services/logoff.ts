import { revokeSession, revokeUserSessions } from '@/db/queries/sessions';
import type { AuthContext } from '../context';
import { emitAuthEvent } from '../events';
import { verifyRefreshToken } from '../tokens/verify';
import type { ClientInfo } from '../client-info';

/**
 * Logs off: blacklists the whole session (refresh family) of the presented refresh token. A
 * missing or invalid token changes nothing (log-off is idempotent).
 */
export async function logoff(
  ctx: AuthContext,
  refreshToken: string,
  client: ClientInfo,
): Promise<void> {
  // An expired but genuine token still names its session: revoke it all the same.
  const verified = await verifyRefreshToken(
    ctx.keyring,
    { ...ctx.config, leewaySeconds: 366 * 86_400 },
    refreshToken,
  );
  if (!verified.ok) return;
  await revokeSession(ctx.db, verified.claims.sid);
  await emitAuthEvent(ctx.config, {
    type: 'logoff',
    userId: verified.claims.user_id,
    sid: verified.claims.sid,
    address: client.address,
  });
}

/** Revokes every session of a user (`/auth/logoff-all/`). */
export async function logoffAll(
  ctx: AuthContext,
  userId: number,
  client: ClientInfo,
): Promise<number> {
  const revoked = await revokeUserSessions(ctx.db, userId);
  await emitAuthEvent(ctx.config, {
    type: 'logoff_all',
    userId,
    sid: null,
    address: client.address,
    reason: `${revoked.length} sessions`,
  });
  return revoked.length;
}
