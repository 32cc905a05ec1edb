import { reissueSessionToken } from '@/db/queries/accounts';
import { findLiveMailToken, findUsersByAddress, spendMailToken } from '@/db/queries/mail-tokens';
import { findUserById } from '@/db/queries/users';
import type { User } from '@/db/schema';
import { passwordResetMail } from '@/mail';
import type { AuthContext } from '../context';
import { InvalidRequest, InvalidToken, NotFound, TokenNotValid } from '../errors';
import { emitAuthEvent } from '../events';
import type { ClientInfo } from '../client-info';
import { canonicalEmail } from '../identity';
import { hashPassword } from '../passwords';
import { passwordProblems } from '../passwords/rules';
import { issueTokens, type IssuedTokens } from '../sessions/issue';
import { newJti } from '../tokens/sign';
import { checkAccountRequestThrottle } from '../throttle/accounts';
import type { AccessTokenClaims } from '../tokens/types';
import { confirmPassword, requireLiveSession } from './confirm';
import { replacePassword } from './credentials';
import { requireAddress } from './email';
import { PAGES, linkMail, type OutgoingMail, type Outbox } from './mail';
import { hashMailToken } from './tokens';

/** The password-reset mail of a user, to their current address. */
function resetMail(ctx: AuthContext, user: User, now: Date): OutgoingMail {
  return linkMail(
    ctx,
    {
      kind: 'password_reset',
      userId: user.id,
      purpose: 'reset_password',
      email: user.email,
      page: PAGES.resetPassword,
      now,
    },
    (site, link) =>
      passwordResetMail({
        to: user.email,
        site: site.host,
        username: user.username,
        link,
        lifetimeSeconds: ctx.config.passwordResetLifetimeSeconds,
      }),
  );
}

/**
 * POST /auth/password-reset/ (docs/contract.md section 8): a reset link (superseding the older
 * ones) for every active account with this address; for any other address the same answer after
 * the same lookups, and no mail.
 * @throws NotFound when password reset is off; InvalidRequest (400); Throttled (429).
 */
export async function requestPasswordReset(
  ctx: AuthContext,
  email: string,
  client: ClientInfo,
  now = new Date(),
): Promise<Outbox> {
  const { config, db } = ctx;
  if (!config.passwordReset) throw new NotFound();
  await checkAccountRequestThrottle(db, config, { kind: 'mail', address: client.address }, now);
  const canonical = requireAddress(email, 'email');
  const accounts = (await findUsersByAddress(db, canonical)).filter((user) => user.isActive);
  if (accounts.length === 0)
    await emitAuthEvent(config, {
      type: 'password.reset_requested',
      userId: null,
      sid: null,
      address: client.address,
      reason: 'unknown_address',
    });
  const outbox: Outbox = [];
  for (const user of accounts) {
    await emitAuthEvent(config, {
      type: 'password.reset_requested',
      userId: user.id,
      sid: null,
      address: client.address,
    });
    outbox.push(resetMail(ctx, user, now));
  }
  return outbox;
}

/**
 * Checks a user's new password against the rules and this user's own attributes (reset and
 * change alike).
 * @throws InvalidRequest (400) with every broken rule in `errors[field]`.
 */
function requireAcceptablePassword(
  config: AuthContext['config'],
  user: Pick<User, 'username' | 'email' | 'firstName' | 'lastName'>,
  password: string,
  field: 'password' | 'new_password',
): void {
  const { username, email, firstName, lastName } = user;
  const problems = passwordProblems(
    password,
    { username, email, firstName, lastName },
    config.passwordRules,
  );
  if (problems.length)
    throw new InvalidRequest('The new password is not accepted.', { [field]: problems });
}

/**
 * POST /auth/password-reset/confirm/: sets the password a reset link allows. The new password is
 * checked before the link is used, so a refused one leaves the link working; then, in one
 * transaction, the link is used (once: a conditional update), the password set, the address
 * counted as verified (the link reached it, if it is still the user's), every other pending link
 * dropped and every session revoked.
 * @throws NotFound when password reset is off; InvalidToken (400); InvalidRequest (400,
 * `errors.password`); Throttled (429).
 */
export async function confirmPasswordReset(
  ctx: AuthContext,
  input: { token: string; password: string },
  client: ClientInfo,
  now = new Date(),
): Promise<void> {
  const { config, db } = ctx;
  if (!config.passwordReset) throw new NotFound();
  await checkAccountRequestThrottle(db, config, { kind: 'link', address: client.address }, now);
  const tokenHash = hashMailToken(input.token);
  const purposes = ['reset_password'] as const;
  const found = await findLiveMailToken(db, { tokenHash, purposes, now });
  const user = found ? await findUserById(db, found.userId) : null;
  if (!found || !user || !user.isActive) throw new InvalidToken();
  requireAcceptablePassword(config, user, input.password, 'password');
  const password = await hashPassword(input.password);
  const revoked = await db.transaction(async (tx) => {
    const used = await spendMailToken(tx, { tokenHash, purposes, now });
    if (!used) throw new InvalidToken();
    const current = await findUserById(tx, used.userId);
    if (!current || !current.isActive) throw new InvalidToken();
    const sameAddress =
      canonicalEmail(current.email) !== null &&
      canonicalEmail(current.email) === canonicalEmail(used.email);
    // Every other link, session and pending second step dies with the old password.
    const { revoked } = await replacePassword(tx, {
      userId: current.id,
      password,
      also: sameAddress ? { emailVerified: true } : {},
    });
    return revoked;
  });
  await emitAuthEvent(config, {
    type: 'password.reset',
    userId: user.id,
    sid: null,
    address: client.address,
    reason: `revoked_sessions:${revoked.length}`,
  });
}

/**
 * POST /auth/password/ (Bearer): the current password (a wrong one counts as a failed sign-in),
 * then the new one (the rules); in one transaction the password is set, every other session
 * revoked, every pending mailed link dropped and the caller's session given a new refresh token, for
 * the sign-in answer with new tokens.
 * @throws InvalidRequest (400: `errors.current_password`, `errors.new_password`);
 * TokenNotValid (401); Throttled (429).
 */
export async function changePassword(
  ctx: AuthContext,
  claims: AccessTokenClaims,
  input: { currentPassword: string; newPassword: string },
  client: ClientInfo,
  now = new Date(),
): Promise<IssuedTokens> {
  const { config, db } = ctx;
  const session = await requireLiveSession(ctx, claims, now);
  const { user } = session;
  await confirmPassword(ctx, {
    session,
    password: input.currentPassword,
    field: 'current_password',
    client,
    now,
  });
  requireAcceptablePassword(config, user, input.newPassword, 'new_password');
  const password = await hashPassword(input.newPassword);
  const refreshExpires = new Date(now.getTime() + config.refreshTokenLifetimeSeconds * 1000);
  const result = await db.transaction(async (tx) => {
    // Every other session, pending link and pending second step dies with the old password.
    const { updated, revoked } = await replacePassword(tx, {
      userId: user.id,
      password,
      keepSid: session.sid,
    });
    const successor = await reissueSessionToken(tx, {
      sid: session.sid,
      userId: user.id,
      newJti: newJti(),
      now,
      newExpiresAt: refreshExpires,
    });
    // Revoked between the check above and here (a log-off in another tab): change nothing.
    if (!updated || !successor)
      throw new TokenNotValid('This session has ended. Sign in again.', { bearer: true });
    return { updated, revoked, successor };
  });
  await emitAuthEvent(config, {
    type: 'password.changed',
    userId: user.id,
    sid: session.sid,
    address: client.address,
    reason: `revoked_sessions:${result.revoked.length}`,
  });
  return issueTokens(ctx, result.updated, result.successor, now);
}
