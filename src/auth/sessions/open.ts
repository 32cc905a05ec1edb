import { randomUUID } from 'node:crypto';
import { startSession } from '@/db/queries/sessions';
import type { User } from '@/db/schema';
import type { ClientInfo } from '../client-info';
import type { AuthContext } from '../context';
import { emitAuthEvent, type AuthEventType } from '../events';
import { newJti } from '../tokens/sign';
import { issueTokens, type IssuedTokens } from './issue';

/** The success events a new session reports: one per way of signing in (add yours here). */
export type SessionOpenedEvent = Extract<
  AuthEventType,
  'sign_in.success' | 'social_exchange.success'
>;

/** Who is signed in, from where, and how they proved it. */
export interface SessionStart {
  /** The user to sign in: the caller has already checked the credentials and that it is active. */
  user: User;
  client: ClientInfo;
  /** How the user authenticated (RFC 8176 `amr`: `pwd`, `fed`, ...); every access token carries it. */
  amr: readonly string[];
  /** The success event to report. */
  event: SessionOpenedEvent;
  /** The sign-in time: the session's `auth_time`, and the clock its first tokens are signed by. */
  now?: Date;
}

/**
 * Signs a user in now: opens a new session (refresh family), issues its first tokens and reports
 * the success event. Every way of signing in ends here (password, social exchange), so a session
 * is started one way only. The refresh token lives for refreshTokenLifetime, never past
 * sessionMaxLifetime; `now` is the session's `auth_time`, which a refresh never moves.
 */
export async function openSession(
  ctx: AuthContext,
  { user, client, amr, event, now = new Date() }: SessionStart,
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
