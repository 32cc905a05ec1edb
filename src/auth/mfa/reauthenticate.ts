import { reissueSessionToken } from '@/db/queries/accounts';
import { findTotpFactor, useTotpStep } from '@/db/queries/mfa';
import { reauthenticateSession } from '@/db/queries/sessions';
import { confirmPassword, requireLiveSession } from '../accounts/confirm';
import type { ClientInfo } from '../client-info';
import type { AuthContext } from '../context';
import { InvalidRequest, TokenNotValid } from '../errors';
import { emitAuthEvent } from '../events';
import { checkPasskeyResponse } from '../passkeys/sign-in';
import { issueTokens, type IssuedTokens } from '../sessions/issue';
import { newJti } from '../tokens/sign';
import type { AccessTokenClaims } from '../tokens/types';
import { AMR, reauthenticatedAmr } from './amr';
import { confirmCode, matchTotpCode } from './codes';

/** One way to prove it is still the user (exactly one is given): the password, a TOTP code, or a passkey response. */
export interface Reauthentication {
  password?: string;
  code?: string;
  response?: unknown;
}

/**
 * POST /auth/reauthenticate/ (Bearer, docs/contract.md section 9): the password, a current TOTP
 * code (used up) or a passkey response (to a challenge from /auth/passkeys/sign-in/options/, for
 * one of the caller's own passkeys) moves the session's `auth_time` to now, and answers new
 * tokens for the same session, as sign-in answers. The session's methods become the union with
 * the one just used (reauthenticatedAmr): never weaker, and a second kind of factor makes it
 * multi-factor. Sensitive actions then count it as recent for `reauthMaxAge`.
 * @throws InvalidRequest (400: `errors.password`, `errors.code`, `errors.response`);
 * TokenNotValid (401); Throttled (429).
 */
export async function reauthenticate(
  ctx: AuthContext,
  claims: AccessTokenClaims,
  input: Reauthentication,
  client: ClientInfo,
  now = new Date(),
): Promise<IssuedTokens> {
  const { config, db } = ctx;
  const given = [input.password, input.code, input.response].filter((v) => v !== undefined);
  if (given.length !== 1)
    throw new InvalidRequest('Give exactly one of password, code or response.', {
      non_field_errors: ['Give exactly one of password, code (TOTP) or response (a passkey).'],
    });
  const session = await requireLiveSession(ctx, claims, now);
  const { user } = session;

  let method: readonly string[];
  if (input.password !== undefined) {
    await confirmPassword(ctx, {
      session,
      password: input.password,
      field: 'password',
      client,
      now,
    });
    method = AMR.password;
  } else if (input.code !== undefined) {
    const code = input.code;
    const factor = await findTotpFactor(db, user.id);
    if (!factor?.confirmedAt)
      throw new InvalidRequest('Two-factor authentication is not on for this account.', {
        code: ['Turn on two-factor authentication first, or confirm with your password.'],
      });
    await confirmCode(ctx, { session, client, now, purpose: 'reauthenticate' }, async () => {
      const step = matchTotpCode(config, factor, code, now);
      return step !== null && useTotpStep(db, { userId: user.id, step });
    });
    method = ['otp'];
  } else {
    const check = await checkPasskeyResponse(ctx, input.response, now);
    if (!check.ok || check.user.id !== user.id) {
      await emitAuthEvent(config, {
        type: 'mfa.challenge_failed',
        userId: user.id,
        sid: session.sid,
        address: client.address,
        reason: check.ok ? 'passkey_of_another_user' : `passkey_${check.reason}`,
      });
      throw new InvalidRequest('The passkey could not be verified.', {
        response: ['Use one of your own passkeys, with a fresh challenge. Try again.'],
      });
    }
    method = AMR.passkey;
  }

  const amr = reauthenticatedAmr(session.amr, method);
  const successor = await db.transaction(async (tx) => {
    const moved = await reauthenticateSession(tx, {
      sid: session.sid,
      userId: user.id,
      authTime: now,
      amr,
      now,
    });
    const token = moved
      ? await reissueSessionToken(tx, {
          sid: session.sid,
          userId: user.id,
          newJti: newJti(),
          now,
          newExpiresAt: new Date(now.getTime() + config.refreshTokenLifetimeSeconds * 1000),
        })
      : null;
    // Revoked since the check above (a log-off in another tab): change nothing.
    if (!token) throw new TokenNotValid('This session has ended. Sign in again.', { bearer: true });
    return token;
  });
  await emitAuthEvent(config, {
    type: 'session.reauthenticated',
    userId: user.id,
    sid: session.sid,
    address: client.address,
    reason: method.join('+'),
  });
  return issueTokens(ctx, user, successor, now);
}
