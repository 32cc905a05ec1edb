import { performance } from 'node:perf_hooks';
import { findLiveSession, type LiveSession } from '@/db/queries/current-user';
import type { AuthContext } from '../context';
import { InvalidRequest, Throttled, TokenNotValid } from '../errors';
import { emitAuthEvent } from '../events';
import type { ClientInfo } from '../client-info';
import { isUsablePassword, verifyPassword, waitOutFailure } from '../passwords';
import {
  checkPasswordThrottle,
  clearPasswordFailures,
  recordPasswordFailure,
} from '../throttle/accounts';
import type { AccessTokenClaims } from '../tokens/types';
import { provesCredential } from '../mfa/amr';

/**
 * The caller's live session and current user, from the database: a Bearer access token outlives
 * a revocation by up to its lifetime, and an account change must not (docs/contract.md section 7).
 * @throws TokenNotValid (401 with `WWW-Authenticate: Bearer`) when the session is revoked or
 * over, or the user inactive or gone.
 */
export async function requireLiveSession(
  ctx: AuthContext,
  claims: AccessTokenClaims,
  now: Date,
): Promise<LiveSession> {
  const session = await findLiveSession(ctx.db, { sid: claims.sid, userId: claims.user_id, now });
  if (!session) throw new TokenNotValid('This session has ended. Sign in again.', { bearer: true });
  return session;
}

/**
 * Checks the password a signed-in user gives to confirm an action. It is throttled per session
 * (a stranger's failed sign-ins do not hold the owner back) and reported as a sign-in attempt of
 * the account (a wrong one counts as a failed sign-in, docs/contract.md section 8), and a wrong
 * one answers no earlier than the sign-in failure floor.
 * @throws InvalidRequest (400) with `errors[field]` for a wrong password; Throttled (429).
 */
export async function confirmPassword(
  ctx: AuthContext,
  input: { session: LiveSession; password: string; field: string; client: ClientInfo; now: Date },
): Promise<void> {
  const { config, db } = ctx;
  const { user } = input.session;
  try {
    await checkPasswordThrottle(db, config, {
      sid: input.session.sid,
      address: input.client.address,
      now: input.now,
    });
  } catch (error) {
    if (error instanceof Throttled)
      await emitAuthEvent(config, {
        type: 'sign_in.throttled',
        userId: user.id,
        sid: input.session.sid,
        address: input.client.address,
        username: user.username,
      });
    throw error;
  }
  const started = performance.now();
  const { valid } = await verifyPassword(input.password, user.password);
  if (!valid) {
    await emitAuthEvent(config, {
      type: 'sign_in.failure',
      userId: user.id,
      sid: input.session.sid,
      address: input.client.address,
      username: user.username,
      reason: 'bad_password',
    });
    await recordPasswordFailure(db, config, { userId: user.id, now: input.now });
    await waitOutFailure(started);
    const message = isUsablePassword(user.password)
      ? 'The password is not correct.'
      : 'This account has no password. Set one with a password reset first.';
    throw new InvalidRequest('The password is not correct.', { [input.field]: [message] });
  }
  await clearPasswordFailures(db, config, input.session.sid);
}

/**
 * Confirms a sensitive action (an e-mail change, a deletion): with the password when one is
 * given, otherwise by a sign-in or re-authentication of this session within `reauthMaxAge`
 * (docs/contract.md section 9: "a sign-in that recent counts"), the only way for a user without a
 * password. Only a sign-in that checked a credential counts (its `amr`, {@link provesCredential}).
 * @throws InvalidRequest (400, `errors.password`) when neither holds; Throttled (429).
 */
export async function confirmSensitiveAction(
  ctx: AuthContext,
  input: { session: LiveSession; password: string | undefined; client: ClientInfo; now: Date },
): Promise<void> {
  if (input.password !== undefined) {
    await confirmPassword(ctx, { ...input, password: input.password, field: 'password' });
    return;
  }
  const age = (input.now.getTime() - input.session.authTime.getTime()) / 1000;
  const credential = provesCredential(input.session.amr);
  if (credential && age <= ctx.config.reauthMaxAgeSeconds) return;
  const minutes = Math.max(1, Math.round(ctx.config.reauthMaxAgeSeconds / 60));
  throw new InvalidRequest('Confirm it is you.', {
    password: [
      isUsablePassword(input.session.user.password)
        ? 'Enter your password to confirm.'
        : `Sign in again to confirm: this needs a sign-in within the last ${minutes} minutes.`,
    ],
  });
}
