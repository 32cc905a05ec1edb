import { performance } from 'node:perf_hooks';
import { findUserByUsername, updateUser } from '@/db/queries/users';
import { findUsernameReservation } from '@/db/queries/username-reservations';
import type { User } from '@/db/schema';
import type { AuthContext } from '../context';
import { deviceAfterSignIn, type KnownDevice } from '../cookies/device';
import { AuthenticationFailed, EmailNotVerified, Throttled } from '../errors';
import { emitAuthEvent } from '../events';
import { hashPassword, verifyPassword, waitOutFailure } from '../passwords';
import { AMR } from '../mfa/amr';
import { needsSecondFactor, startSecondStep, type SecondStepRequired } from '../mfa/second-step';
import {
  checkSignInThrottle,
  clearSignInFailures,
  forgiveSignInAttempt,
  type SignInAttempt,
} from '../throttle/sign-in';
import type { ClientInfo } from '../client-info';
import type { IssuedTokens } from '../sessions/issue';
import { openSession } from '../sessions/open';

/** A successful sign-in: the tokens, and the device entry to remember in the browser. */
export interface SignedIn extends IssuedTokens {
  device: KnownDevice;
}

/**
 * What a right password gives: a session, or, for a user with TOTP on, the second step to take
 * (docs/contract.md section 9: no session and no cookie until it is done).
 */
export type PasswordSignIn =
  (SignedIn & { secondStep?: undefined }) | { secondStep: SecondStepRequired };

async function checkThrottle(ctx: AuthContext, attempt: SignInAttempt): Promise<void> {
  try {
    await checkSignInThrottle(ctx.db, ctx.config, attempt);
  } catch (error) {
    if (!(error instanceof Throttled)) throw error; // a database failure is no throttling event
    await emitAuthEvent(ctx.config, {
      type: 'sign_in.throttled',
      userId: null,
      sid: null,
      address: attempt.address,
      username: attempt.username,
    });
    throw error;
  }
}

/** The account fields the sign-in rules look at (no id: a reserved username). */
type SignInAccount = Pick<User, 'selfRegistered' | 'emailVerified'> & { id: number | null };

/** What a reserved username stands in for: an account made by sign-up, its address unproven. */
const RESERVED: SignInAccount = { id: null, selfRegistered: true, emailVerified: false };

/**
 * The rule every sign-in method applies once the credential is right (password, passkey): an
 * account made by sign-up proves its address first, while `requireEmailVerification` is on
 * (docs/contract.md section 8). Reported as a `sign_in.failure` with `email_not_verified`.
 * @throws EmailNotVerified (403).
 */
export async function refuseUnprovenAddress(
  ctx: AuthContext,
  user: SignInAccount,
  client: { address: string | null; username?: string },
): Promise<void> {
  if (!ctx.config.requireEmailVerification || !user.selfRegistered || user.emailVerified) return;
  await emitAuthEvent(ctx.config, {
    type: 'sign_in.failure',
    userId: user.id,
    sid: null,
    address: client.address,
    ...(client.username !== undefined ? { username: client.username } : {}),
    reason: 'email_not_verified',
  });
  throw new EmailNotVerified(
    'Confirm your e-mail address first: open the link we mailed you, or ask for a new one.',
  );
}

/**
 * Signs a user in with username and password (the seed's /auth/sign-in/): a session, or for a
 * user with TOTP on the second step (`secondStep`, finished by verifySecondStep). `devices` are the
 * device cookie entries the browser sent (already verified); the one issued for this account, if
 * any, lets the browser past a username held by a stranger's failures (docs/contract.md section 6).
 * @throws Throttled (429) after too many failures; AuthenticationFailed (401) for an unknown
 * user, a wrong password or an inactive user, all alike in content and in time; EmailNotVerified
 * (403) for the right password of an account made by sign-up whose address is not confirmed yet.
 */
export async function passwordSignIn(
  ctx: AuthContext,
  input: { username: string; password: string; devices?: readonly KnownDevice[] },
  client: ClientInfo,
  now = new Date(),
): Promise<PasswordSignIn> {
  const { db, config } = ctx;
  const user = await findUserByUsername(db, input.username);
  // A name held by a sign-up whose address had an account answers as the unverified account it
  // stands in for (docs/accounts.md, "No enumeration, and why"), and never signs in.
  const reservation = user ? null : await findUsernameReservation(db, input.username);
  const attempt: SignInAttempt = {
    username: input.username,
    userId: user?.id ?? null,
    address: client.address,
    device: (user && input.devices?.find((d) => d.userId === user.id)) ?? null,
    now,
  };
  await checkThrottle(ctx, attempt);
  const started = performance.now();
  // A missing user or an unusable hash costs the same dummy verification as a real one.
  const { valid, needsRehash } = await verifyPassword(
    input.password,
    user ? user.password : reservation?.password,
  );
  if (reservation && valid && config.requireEmailVerification) {
    // As the account's right password: the count starts over, then the rule's 403.
    await clearSignInFailures(db, config, attempt);
    await refuseUnprovenAddress(ctx, RESERVED, {
      address: client.address,
      username: input.username,
    });
  }
  if (!user || !valid || !user.isActive) {
    const reason = !user
      ? reservation
        ? 'reserved_username'
        : 'unknown_user'
      : !valid
        ? 'bad_password'
        : 'inactive';
    await emitAuthEvent(config, {
      type: 'sign_in.failure',
      userId: user?.id ?? null,
      sid: null,
      address: client.address,
      username: input.username,
      reason,
    });
    // Every failure answers no earlier than the slowest hash this server verifies would.
    await waitOutFailure(started);
    throw new AuthenticationFailed();
  }
  // A Django pbkdf2/scrypt (or older argon2) hash is upgraded to the current hasher now that
  // the password is known (Django's must_update idea).
  if (needsRehash) await updateUser(db, user.id, { password: await hashPassword(input.password) });
  const secondFactor = await needsSecondFactor(ctx, user);
  if (secondFactor) await forgiveSignInAttempt(db, config, attempt);
  else await clearSignInFailures(db, config, attempt);
  // Said only after the right password, so it tells a stranger nothing; a wrong one is the usual 401.
  await refuseUnprovenAddress(ctx, user, { address: client.address, username: input.username });
  if (secondFactor)
    return {
      secondStep: await startSecondStep(ctx, {
        user,
        amr: AMR.password,
        event: 'sign_in.success',
        now,
      }),
    };
  const issued = await openSession(ctx, {
    user,
    client,
    amr: AMR.password,
    event: 'sign_in.success',
    now,
  });
  return { ...issued, device: deviceAfterSignIn(attempt.device, user.id, now) };
}

/**
 * {@link passwordSignIn} for an account without a second factor (scripts, tests): the session.
 * @throws Error for an account with TOTP on, which needs passwordSignIn's second step.
 */
export async function signIn(
  ctx: AuthContext,
  input: { username: string; password: string; devices?: readonly KnownDevice[] },
  client: ClientInfo,
  now = new Date(),
): Promise<SignedIn> {
  const outcome = await passwordSignIn(ctx, input, client, now);
  if (outcome.secondStep)
    throw new Error('This account has TOTP on: use passwordSignIn() and verifySecondStep()');
  return outcome;
}
