import {
  claimChallengeCheck,
  consumeClaimedChallenge,
  findUsableChallenge,
  insertChallenge,
  MAX_CHALLENGE_FAILURES,
  releaseChallengeCheck,
} from '@/db/queries/challenges';
import { findTotpFactor, mfaSummary, useRecoveryCode, useTotpStep } from '@/db/queries/mfa';
import { findUserById } from '@/db/queries/users';
import type { User } from '@/db/schema';
import type { ClientInfo } from '../client-info';
import type { AuthContext } from '../context';
import { deviceAfterSignIn, type KnownDevice } from '../cookies/device';
import { AuthenticationFailed, InvalidRequest, Throttled, TokenNotValid } from '../errors';
import { emitAuthEvent } from '../events';
import type { IssuedTokens } from '../sessions/issue';
import { openSession, type SessionOpenedEvent } from '../sessions/open';
import { checkSignInThrottle, clearSignInFailures, type SignInAttempt } from '../throttle/sign-in';
import { withSecondFactor } from './amr';
import { CHALLENGE_LIFETIME_SECONDS, hashChallenge, matchTotpCode, newMfaToken } from './codes';
import { hashRecoveryCode } from './recovery-codes';

// The second step of a sign-in (docs/contract.md section 9): after the first factor (a password,
// or an identity provider's tokens) of a user with TOTP on, no session yet, but an `mfa_token`
// that a TOTP code or a recovery code turns into one. The token is random, stored only as its
// hash (auth_challenges), lives 5 minutes, is used once, and dies at the fifth wrong code: unlike
// a signed token it cannot be replayed after use, and a database read alone cannot finish a
// sign-in.

/** The ways to finish the second step. */
export type SecondFactorMethod = 'totp' | 'recovery_code';

/** What the first step answers instead of tokens: `{ mfa_required, mfa_token, methods }`. */
export interface SecondStepRequired {
  mfaToken: string;
  methods: SecondFactorMethod[];
}

/** What an mfa_token remembers of the first step, to open the session as that sign-in would. */
interface FirstStep {
  amr: string[];
  event: SessionOpenedEvent;
}

const FIRST_STEP_EVENTS: readonly SessionOpenedEvent[] = [
  'sign_in.success',
  'social_exchange.success',
];

function readFirstStep(context: unknown): FirstStep | null {
  const { amr, event } = (context ?? {}) as { amr?: unknown; event?: unknown };
  if (!Array.isArray(amr) || !amr.every((m) => typeof m === 'string')) return null;
  if (!FIRST_STEP_EVENTS.includes(event as SessionOpenedEvent)) return null;
  return { amr, event: event as SessionOpenedEvent };
}

/** Whether the user must give a second factor after the first (TOTP on). */
export async function needsSecondFactor(ctx: AuthContext, user: User): Promise<boolean> {
  return Boolean((await findTotpFactor(ctx.db, user.id))?.confirmedAt);
}

/**
 * Issues the `mfa_token` for a user whose first factor was right: 256 random bits, stored as a
 * hash with the first step's methods, valid CHALLENGE_LIFETIME_SECONDS.
 */
export async function startSecondStep(
  ctx: AuthContext,
  input: { user: User; amr: readonly string[]; event: SessionOpenedEvent; now: Date },
): Promise<SecondStepRequired> {
  const mfaToken = newMfaToken();
  await insertChallenge(ctx.db, {
    purpose: 'mfa',
    userId: input.user.id,
    tokenHash: hashChallenge(mfaToken),
    expiresAt: new Date(input.now.getTime() + CHALLENGE_LIFETIME_SECONDS * 1000),
    now: input.now,
    context: { amr: [...input.amr], event: input.event },
  });
  const { recoveryCodesLeft } = await mfaSummary(ctx.db, input.user.id);
  return { mfaToken, methods: recoveryCodesLeft > 0 ? ['totp', 'recovery_code'] : ['totp'] };
}

/** The second step's answer: the session, and the device entry for a password sign-in. */
export interface SecondStepDone extends IssuedTokens {
  /** Set for a password sign-in (the device cookie, as sign-in sets it); null after an IdP. */
  device: KnownDevice | null;
}

/** A code lost a race with another use of it (inside the transaction: rolls it back). */
class CodeAlreadyUsed extends Error {}

const tokenDead = () =>
  new TokenNotValid('This sign-in has expired or was already finished. Sign in again.');

/**
 * POST /auth/mfa/verify/: `{ mfa_token, code }` or `{ mfa_token, recovery_code }` finishes the
 * sign-in the token was issued for, exactly as sign-in answers (`amr` of the first step plus `otp`
 * and `mfa`, or `mfa` alone with a recovery code).
 *
 * The token is checked first (a dead one is 401 `token_not_valid` and counts nothing); then one
 * of its five check slots is claimed, atomically, before the code is looked at (none left: 401
 * `token_not_valid`), so however many wrong codes race with one token, at most five are checked;
 * then the attempt is counted as a sign-in attempt of the account (the username throttle, or the
 * known device's count), so wrong codes hold the account as wrong passwords do. A wrong code is
 * 401 `authentication_failed` and keeps its slot; a right one gives it back as it uses the token.
 * The token and the code are used in one transaction: of two requests racing with one token or
 * one code, one wins.
 * @throws TokenNotValid (401); AuthenticationFailed (401); InvalidRequest (400); Throttled (429).
 */
export async function verifySecondStep(
  ctx: AuthContext,
  input: {
    mfaToken: string;
    code?: string;
    recoveryCode?: string;
    devices?: readonly KnownDevice[];
  },
  client: ClientInfo,
  now = new Date(),
): Promise<SecondStepDone> {
  const { config, db } = ctx;
  if ((input.code === undefined) === (input.recoveryCode === undefined))
    throw new InvalidRequest('Give either a code or a recovery code.', {
      non_field_errors: ['Give either code (from the authenticator app) or recovery_code.'],
    });
  const challenge = await findUsableChallenge(db, {
    purpose: 'mfa',
    tokenHash: hashChallenge(input.mfaToken),
    now,
  });
  const first = readFirstStep(challenge?.context);
  const user = challenge?.userId != null ? await findUserById(db, challenge.userId) : null;
  if (!challenge || !first || !user) throw tokenDead();
  if (!user.isActive) throw new AuthenticationFailed();

  // The check slot first: a request that finds none left checks nothing and counts nothing.
  const slot = await claimChallengeCheck(db, { id: challenge.id, now });
  if (slot === null) throw tokenDead();
  const attempt: SignInAttempt = {
    username: user.username,
    userId: user.id,
    address: client.address,
    device: input.devices?.find((d) => d.userId === user.id) ?? null,
    now,
  };
  try {
    await checkSignInThrottle(db, config, attempt);
  } catch (error) {
    // Refused before the code was looked at: the slot goes back to the token.
    await releaseChallengeCheck(db, challenge.id);
    if (error instanceof Throttled)
      await emitAuthEvent(config, {
        type: 'sign_in.throttled',
        userId: user.id,
        sid: null,
        address: client.address,
        username: user.username,
      });
    throw error;
  }

  const factor = input.code !== undefined ? 'totp' : 'recovery_code';
  // The slot claimed above is this failure: the fifth one killed the token.
  const refuse = async (): Promise<never> => {
    await emitAuthEvent(config, {
      type: 'mfa.challenge_failed',
      userId: user.id,
      sid: null,
      address: client.address,
      reason: slot >= MAX_CHALLENGE_FAILURES ? `bad_${factor}:token_dead` : `bad_${factor}`,
    });
    throw new AuthenticationFailed(
      factor === 'totp'
        ? 'That code is not correct, or it was used already.'
        : 'That recovery code is not correct, or it was used already.',
    );
  };

  // Checked in memory first; only a matching code is then used, in the transaction below.
  let step: number | null = null;
  let codeHash: string | null = null;
  if (factor === 'totp') {
    const totp = await findTotpFactor(db, user.id);
    step = totp?.confirmedAt ? matchTotpCode(config, totp, input.code, now) : null;
    if (step === null) return refuse();
  } else {
    codeHash = hashRecoveryCode(user.id, input.recoveryCode);
    if (codeHash === null) return refuse();
  }
  try {
    await db.transaction(async (tx) => {
      if (!(await consumeClaimedChallenge(tx, { id: challenge.id, now }))) throw tokenDead();
      const used =
        step !== null
          ? await useTotpStep(tx, { userId: user.id, step })
          : await useRecoveryCode(tx, { userId: user.id, codeHash: codeHash!, now });
      if (!used) throw new CodeAlreadyUsed();
    });
  } catch (error) {
    if (error instanceof CodeAlreadyUsed) return refuse();
    throw error;
  }

  await clearSignInFailures(db, config, attempt);
  if (factor === 'recovery_code')
    await emitAuthEvent(config, {
      type: 'recovery_code.used',
      userId: user.id,
      sid: null,
      address: client.address,
    });
  const issued = await openSession(ctx, {
    user,
    client,
    amr: withSecondFactor(first.amr, factor),
    event: first.event,
    now,
  });
  const device =
    first.event === 'sign_in.success' ? deviceAfterSignIn(attempt.device, user.id, now) : null;
  return { ...issued, device };
}
