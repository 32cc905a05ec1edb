import { readRefreshTokenState } from '@/db/queries/tokens';
import type { AuthContext } from '../context';
import { TokenNotValid } from '../errors';
import {
  expiryJudgedAt,
  peekTokenType,
  verifyAccessToken,
  verifyRefreshToken,
} from '../tokens/verify';

/**
 * simplejwt's verify view: succeeds for a valid access or refresh token of this server that is
 * not blacklisted. A refresh token must also still be on record, with its session and its user:
 * a token whose row is gone (user deleted, row flushed) proves nothing, so it fails closed.
 * @throws TokenNotValid (401) otherwise.
 */
export async function verifyToken(
  ctx: AuthContext,
  token: string,
  now = new Date(),
): Promise<void> {
  const type = peekTokenType(token);
  if (type === 'access') {
    if (verifyAccessToken(ctx.keyring, ctx.config, token, now).ok) return;
  } else if (type === 'refresh') {
    const verified = verifyRefreshToken(ctx.keyring, ctx.config, token, now);
    if (verified.ok) {
      const state = await readRefreshTokenState(ctx.db, {
        jti: verified.claims.jti,
        // One leeway rule for verify and refresh: the stored expiry is judged as jose judges exp.
        validAt: expiryJudgedAt(ctx.config, now),
        graceWindowSeconds: ctx.config.reuseGraceWindowSeconds,
      });
      if (state && !state.blacklisted && state.sessionLive && state.user.isActive) return;
    }
  }
  throw new TokenNotValid();
}
