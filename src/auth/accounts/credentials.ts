import type { Database } from '@/db/client';
import { deletePendingSecondSteps } from '@/db/queries/challenges';
import { deleteMailTokens } from '@/db/queries/mail-tokens';
import { revokeUserSessions } from '@/db/queries/sessions';
import { updateUser } from '@/db/queries/users';
import type { NewUser, User } from '@/db/schema';

// The one home of "the account is taken back": what a new password (a change, a reset, the CLI's
// set-password) and a log-off everywhere end, so that nothing handed out before it (to a thief
// with a stolen session, a phished password or a live phishing proxy) still works after it.

/**
 * Ends every way into the account given out before now, in the caller's transaction: every
 * session but `keepSid` (revoked, its tokens blacklisted), the pending mailed links of `links`
 * (all kinds by default; an e-mail change link a thief asked for would otherwise still take the
 * account), and every pending second step (an `mfa_token` obtained with the old password would
 * otherwise still open a session).
 * @returns the revoked session ids.
 */
export async function endAccountAccess(
  tx: Database,
  userId: number,
  options: { keepSid?: string | null; links?: Parameters<typeof deleteMailTokens>[2] } = {},
): Promise<string[]> {
  const revoked = await revokeUserSessions(tx, userId, options.keepSid ?? null);
  await deleteMailTokens(tx, userId, options.links);
  await deletePendingSecondSteps(tx, userId);
  return revoked;
}

/**
 * Sets a new password hash (and any other column in `also`, e.g. a reset's `emailVerified`) and
 * ends everything the old password gave out ({@link endAccountAccess}), in one transaction with
 * the caller's other statements: a kill between the statements can leave neither a new password
 * with the old sessions live nor a thief's link working. Used by the password change, the
 * password reset and the CLI's set-password.
 * @returns the updated user (null when it is gone) and the revoked session ids.
 */
export async function replacePassword(
  tx: Database,
  input: { userId: number; password: string; keepSid?: string | null; also?: Partial<NewUser> },
): Promise<{ updated: User | null; revoked: string[] }> {
  const updated = await updateUser(tx, input.userId, { ...input.also, password: input.password });
  const revoked = await endAccountAccess(tx, input.userId, { keepSid: input.keepSid });
  return { updated, revoked };
}
