import { deleteUserAndData } from '@/db/queries/accounts';
import { isForeignKeyViolation } from '@/db/errors';
import { listIdentities } from '@/db/queries/accounts';
import { mfaSummary } from '@/db/queries/mfa';
import type { User } from '@/db/schema';
import type { AuthContext } from '../context';
import { InvalidRequest } from '../errors';
import { emitAuthEvent } from '../events';
import type { ClientInfo } from '../client-info';
import { isUsablePassword } from '../passwords';
import type { AccessTokenClaims } from '../tokens/types';
import { confirmSensitiveAction, requireLiveSession } from './confirm';

/** The body of GET /auth/account/ (docs/contract.md section 8). */
export interface AccountView {
  user: Record<string, unknown>;
  email_verified: boolean;
  has_password: boolean;
  identities: { provider: string; email: string }[];
  /** Second factors (docs/contract.md section 9). */
  mfa: { totp: boolean; passkeys: number; recovery_codes_left: number };
}

/** The user as the configured serializer shows it (the template's), or the basic fields. */
function shownUser(ctx: AuthContext, user: User): Record<string, unknown> {
  return (
    ctx.config.serializeUser?.(user) ?? {
      id: user.id,
      username: user.username,
      email: user.email,
      first_name: user.firstName,
      last_name: user.lastName,
    }
  );
}

/**
 * GET /auth/account/ (Bearer): the caller's account as the account page shows it.
 * @throws TokenNotValid (401) for a session that has ended.
 */
export async function readAccount(
  ctx: AuthContext,
  claims: AccessTokenClaims,
  now = new Date(),
): Promise<AccountView> {
  const { user } = await requireLiveSession(ctx, claims, now);
  const mfa = await mfaSummary(ctx.db, user.id);
  return {
    user: shownUser(ctx, user),
    email_verified: user.emailVerified,
    has_password: isUsablePassword(user.password),
    identities: await listIdentities(ctx.db, user.id),
    mfa: { totp: mfa.totp, passkeys: mfa.passkeys, recovery_codes_left: mfa.recoveryCodesLeft },
  };
}

/**
 * POST /auth/account/delete/ (Bearer): after the password, or for any user a sign-in within
 * `reauthMaxAge` (the only way for a user without a password), deletes the user with their
 * identities, sessions and tokens in one transaction: either all of it goes, or nothing does.
 * @throws InvalidRequest (400: `errors.password`, or other rows of the app still refer to the
 * user); TokenNotValid (401); Throttled (429).
 */
export async function deleteAccount(
  ctx: AuthContext,
  claims: AccessTokenClaims,
  input: { password: string | undefined },
  client: ClientInfo,
  now = new Date(),
): Promise<void> {
  const session = await requireLiveSession(ctx, claims, now);
  await confirmSensitiveAction(ctx, { session, password: input.password, client, now });
  try {
    await deleteUserAndData(ctx.db, session.user.id);
  } catch (error) {
    if (!isForeignKeyViolation(error)) throw error;
    throw new InvalidRequest(
      'This account cannot be deleted here: other records of the app still refer to it. Nothing was deleted; ask the site to remove it.',
    );
  }
  await emitAuthEvent(ctx.config, {
    type: 'account.deleted',
    userId: session.user.id,
    sid: session.sid,
    address: client.address,
  });
}
