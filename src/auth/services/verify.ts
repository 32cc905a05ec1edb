import { isRefreshTokenRevoked } from '@/db/queries/tokens';
import type { AuthContext } from '../context';
import { TokenNotValid } from '../errors';
import { peekTokenType, verifyAccessToken, verifyRefreshToken } from '../tokens/verify';

/**
 * simplejwt's verify view: succeeds for a valid access or refresh token of this server that is
 * not blacklisted.
 * @throws TokenNotValid (401) otherwise.
 */
export async function verifyToken(ctx: AuthContext, token: string): Promise<void> {
  const type = peekTokenType(token);
  if (type === 'access') {
    if ((await verifyAccessToken(ctx.keyring, ctx.config, token)).ok) return;
  } else if (type === 'refresh') {
    const verified = await verifyRefreshToken(ctx.keyring, ctx.config, token);
    if (verified.ok && !(await isRefreshTokenRevoked(ctx.db, verified.claims.jti))) return;
  }
  throw new TokenNotValid();
}
