import { revokeSession, sessionBelongsTo } from '@/db/queries/sessions';
import { endAccountAccess } from '../accounts/credentials';
import type { ClientInfo } from '../client-info';
import type { AuthContext } from '../context';
import { NotFound } from '../errors';
import { emitAuthEvent } from '../events';
import { verifyRefreshToken } from '../tokens/verify';

// The three ways a session ends on request: its own refresh cookie logs off, the user ends all of
// theirs, or one of their sessions by id. Each revokes the whole family (revokeSessionsWhere in
// db/queries/sessions.ts). Reuse detection ends one too, in rotate.ts.

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
  const verified = verifyRefreshToken(
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

/**
 * Revokes every session of a user (`/auth/logoff-all/`), and, in the same transaction, drops the
 * pending e-mail change links and second steps (endAccountAccess): "sign out everywhere" after a
 * theft must not leave the thief's change link (mailed to the thief's address) or an `mfa_token`
 * working. Verification and reset links went to the user's own address and stay.
 */
export async function logoffAll(
  ctx: AuthContext,
  userId: number,
  client: ClientInfo,
): Promise<number> {
  const revoked = await ctx.db.transaction((tx) =>
    endAccountAccess(tx, userId, { links: ['change_email'] }),
  );
  await emitAuthEvent(ctx.config, {
    type: 'logoff_all',
    userId,
    sid: null,
    address: client.address,
    reason: `${revoked.length} sessions`,
  });
  return revoked.length;
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
