import { revokeSession } from '@/db/queries/sessions';
import { consumeRefreshToken, readRefreshTokenState } from '@/db/queries/tokens';
import type { AuthContext } from '../context';
import { TokenNotValid } from '../errors';
import { emitAuthEvent } from '../events';
import { newJti } from '../tokens/sign';
import { expiryJudgedAt, verifyRefreshToken } from '../tokens/verify';
import type { ClientInfo } from '../client-info';
import { issueTokens, type IssuedTokens } from './issue';

function refused(detail = 'Token is invalid or expired.'): TokenNotValid {
  return new TokenNotValid(detail);
}

/**
 * Exchanges a refresh token for a new access token and, with rotation on, a new refresh token
 * (the seed's /auth/refresh/). Reuse detection (OAuth 2.0 Security BCP, section 4.14.2): a token
 * rotated more than reuseGraceWindow ago, or any older ancestor, revokes its whole family;
 * within the window the immediate predecessor gets the very successor the winner got.
 *
 * Clocks: `now` (the app's) signs the tokens and judges expiry, with the leeway, as the JWT check
 * does; the rotation's stamp and the grace window are the database's clock (see
 * consumeRefreshToken), so a winner that stalled, or an instance whose clock is off, does not
 * turn a client's retry into reuse.
 * @throws TokenNotValid (401; the endpoint clears the cookies) for a missing, bad, expired, blacklisted or reused token.
 */
export async function refreshTokens(
  ctx: AuthContext,
  refreshToken: string,
  client: ClientInfo,
  now = new Date(),
): Promise<IssuedTokens> {
  const { config, keyring, db } = ctx;
  const fail = async (reason: string, userId: number | null = null, sid: string | null = null) => {
    await emitAuthEvent(config, {
      type: reason === 'reused' ? 'refresh.reuse_detected' : 'refresh.failure',
      userId,
      sid,
      address: client.address,
      reason,
    });
    return refused(
      reason === 'reused' ? 'Token has been reused; the session is revoked.' : undefined,
    );
  };
  const verified = verifyRefreshToken(keyring, config, refreshToken, now);
  // An expired token is refused without revoking anything: expiry is not reuse.
  if (!verified.ok) throw await fail(verified.reason);
  const { jti, sid } = verified.claims;
  const validAt = expiryJudgedAt(config, now);

  if (config.rotateRefreshTokens) {
    const refreshExpiresAt = new Date(now.getTime() + config.refreshTokenLifetimeSeconds * 1000);
    const consumed = await consumeRefreshToken(db, {
      jti,
      newJti: newJti(),
      now,
      validAt,
      newExpiresAt: refreshExpiresAt,
      blacklist: config.blacklistAfterRotation,
    });
    if (consumed) {
      const issued = await issueTokens(ctx, consumed.user, consumed.successor, now);
      await emitAuthEvent(config, {
        type: 'refresh.success',
        userId: consumed.user.id,
        sid,
        address: client.address,
      });
      return issued;
    }
  }

  const state = await readRefreshTokenState(db, {
    jti,
    validAt,
    graceWindowSeconds: config.reuseGraceWindowSeconds,
  });
  if (!state) throw await fail('unknown_token');
  const userId = state.user.id;
  if (!state.user.isActive) throw await fail('inactive_user', userId, sid);
  if (!state.sessionLive) throw await fail('session_revoked', userId, sid);
  if (state.expired) throw await fail('expired', userId, sid);
  if (state.rotated) {
    if (state.liveSuccessor && state.rotatedWithinGrace) {
      // Two tabs (or retries) refreshing at once: answer with the same successor, never a branch.
      const issued = await issueTokens(ctx, state.user, state.liveSuccessor, now);
      await emitAuthEvent(config, {
        type: 'refresh.success',
        userId,
        sid,
        address: client.address,
        reason: 'grace_window',
      });
      return issued;
    }
    await revokeSession(db, sid);
    throw await fail('reused', userId, sid);
  }
  if (state.blacklisted) throw await fail('blacklisted', userId, sid);
  // Rotation off: the same refresh token stays in use until it expires.
  const issued = await issueTokens(
    ctx,
    state.user,
    {
      jti,
      sid,
      createdAt: new Date(verified.claims.iat * 1000),
      expiresAt: new Date(verified.claims.exp * 1000),
      authTime: state.authTime,
      amr: state.amr,
    },
    now,
  );
  await emitAuthEvent(config, { type: 'refresh.success', userId, sid, address: client.address });
  return issued;
}
