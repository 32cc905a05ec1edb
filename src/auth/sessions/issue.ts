import type { StoredRefreshToken } from '@/db/queries/tokens';
import type { User } from '@/db/schema';
import type { AuthContext } from '../context';
import { csrfTokenForSession } from '../csrf/tokens';
import { buildCustomClaims } from '../tokens/claims';
import { signAccessToken, signRefreshToken, signSessionToken } from '../tokens/sign';

/** Everything a sign-in or refresh answer carries: the body's members and the cookies' values. */
export interface IssuedTokens {
  accessToken: string;
  /** The access token's `exp`, Unix seconds. */
  expires: number;
  csrfToken: string;
  refreshToken: string;
  refreshExpires: number;
  sessionToken: string;
  user: Record<string, unknown> | undefined;
  userId: number;
  sid: string;
}

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

/**
 * Signs the access token (custom claims recomputed from the current user), re-signs the stored
 * refresh token (same `jti`, `iat`, `exp`), and derives the CSRF and session cookie values.
 */
export async function issueTokens(
  core: AuthContext,
  user: User,
  refresh: StoredRefreshToken,
  now: Date,
): Promise<IssuedTokens> {
  const { config, keyring } = core;
  const refreshExpires = seconds(refresh.expiresAt);
  const customClaims = await buildCustomClaims(config, user, core.db);
  const access = signAccessToken(keyring, config, {
    userId: user.id,
    session: { sid: refresh.sid, authTime: seconds(refresh.authTime), amr: refresh.amr },
    customClaims,
    nowSeconds: seconds(now),
  });
  const refreshToken = signRefreshToken(keyring, config, {
    userId: user.id,
    jti: refresh.jti,
    sid: refresh.sid,
    iat: seconds(refresh.createdAt),
    exp: refreshExpires,
  });
  const sessionToken = signSessionToken(keyring, {
    userId: user.id,
    sid: refresh.sid,
    exp: refreshExpires,
  });
  return {
    accessToken: access.token,
    expires: access.exp,
    csrfToken: csrfTokenForSession(core, refresh.sid),
    refreshToken,
    refreshExpires,
    sessionToken,
    user: config.serializeUser ? config.serializeUser(user) : undefined,
    userId: user.id,
    sid: refresh.sid,
  };
}
