import { randomUUID } from 'node:crypto';
import { findUserByUsername, updateUser } from '@/db/queries/users';
import { startSession } from '@/db/queries/tokens';
import type { User } from '@/db/schema';
import type { AuthContext } from '../context';
import { AuthenticationFailed, Throttled } from '../errors';
import { emitAuthEvent } from '../events';
import { hashPassword, verifyPassword } from '../passwords';
import { newJti } from '../tokens/sign';
import { checkSignInThrottle, clearSignInFailures } from '../throttle/sign-in';
import { issueTokens, type IssuedTokens } from './issue';

/** Where a request came from, for sessions, throttling and events. */
export interface ClientInfo {
  address: string | null;
  userAgent: string;
}

/**
 * Opens a new session (refresh family) for a user, issues its first tokens and reports the
 * success event: the refresh token lives for refreshTokenLifetime, never past sessionMaxLifetime.
 * `now` is the session's `auth_time` and `amr` how the user authenticated (RFC 8176: `pwd`,
 * `fed`); every access token of the session carries both.
 */
export async function openSession(
  ctx: AuthContext,
  user: User,
  client: ClientInfo,
  now: Date,
  event: 'sign_in.success' | 'social_exchange.success',
  amr: readonly string[],
): Promise<IssuedTokens> {
  const { config } = ctx;
  const sid = randomUUID();
  const jti = newJti();
  const sessionExpiresAt = new Date(now.getTime() + config.sessionMaxLifetimeSeconds * 1000);
  const tokenExpiresAt = new Date(
    Math.min(now.getTime() + config.refreshTokenLifetimeSeconds * 1000, sessionExpiresAt.getTime()),
  );
  await startSession(ctx.db, {
    sid,
    userId: user.id,
    jti,
    now,
    tokenExpiresAt,
    sessionExpiresAt,
    userAgent: client.userAgent.slice(0, 512),
    ipAddress: client.address ?? '',
    authTime: now,
    amr,
  });
  const issued = await issueTokens(
    ctx,
    { ...user, lastLogin: now },
    { jti, sid, createdAt: now, expiresAt: tokenExpiresAt, authTime: now, amr: [...amr] },
    now,
  );
  await emitAuthEvent(config, { type: event, userId: user.id, sid, address: client.address });
  return issued;
}

/**
 * Signs a user in with username and password (the seed's /auth/sign-in/).
 * @throws Throttled (429) after too many failures; AuthenticationFailed (401) for an unknown
 * user, a wrong password or an inactive user, all alike.
 */
export async function signIn(
  ctx: AuthContext,
  input: { username: string; password: string },
  client: ClientInfo,
  now = new Date(),
): Promise<IssuedTokens> {
  const { db, config } = ctx;
  try {
    await checkSignInThrottle(db, config, {
      username: input.username,
      address: client.address,
      now,
    });
  } catch (error) {
    if (!(error instanceof Throttled)) throw error; // a database failure is no throttling event
    await emitAuthEvent(config, {
      type: 'sign_in.throttled',
      userId: null,
      sid: null,
      address: client.address,
      username: input.username,
    });
    throw error;
  }
  const user = await findUserByUsername(db, input.username);
  // A missing user or an unusable hash costs the same dummy verification as a real one.
  const { valid, needsRehash } = await verifyPassword(input.password, user?.password);
  if (!user || !valid || !user.isActive) {
    const reason = !user ? 'unknown_user' : !valid ? 'bad_password' : 'inactive';
    await emitAuthEvent(config, {
      type: 'sign_in.failure',
      userId: user?.id ?? null,
      sid: null,
      address: client.address,
      username: input.username,
      reason,
    });
    throw new AuthenticationFailed();
  }
  // A Django pbkdf2/scrypt (or older argon2) hash is upgraded to the current hasher now that
  // the password is known (Django's must_update idea).
  if (needsRehash) await updateUser(db, user.id, { password: await hashPassword(input.password) });
  await clearSignInFailures(db, config, input.username);
  return openSession(ctx, user, client, now, 'sign_in.success', ['pwd']);
}
