import { performance } from 'node:perf_hooks';
import { isUniqueViolation } from '@/db/errors';
import { isUsernameConfusable } from '@/db/queries/identities';
import { findUsersByAddress, lockAddress } from '@/db/queries/mail-tokens';
import { insertUser } from '@/db/queries/users';
import { insertUsernameReservation, lockUsername } from '@/db/queries/username-reservations';
import type { User } from '@/db/schema';
import { accountExistsMail } from '@/mail';
import type { AuthContext } from '../context';
import { InvalidRequest, NotFound } from '../errors';
import { emitAuthEvent } from '../events';
import type { ClientInfo } from '../client-info';
import { canonicalEmail, emailColumns, normalizeUsername, usernameColumns } from '../identity';
import { hashPassword } from '../passwords';
import { passwordProblems } from '../passwords/rules';
import { openSession } from '../sessions/open';
import type { IssuedTokens } from '../sessions/issue';
import { usernameSchema } from '../services/users';
import { checkAccountRequestThrottle } from '../throttle/accounts';
import { verificationMail } from './email';
import { recordAccountCreation, waitLikeAccountCreation } from './timing';
import { PAGES, issueLinkToken, tokenLink, type OutgoingMail, type Outbox } from './mail';

/** What a visitor sends to POST /auth/sign-up/. */
export interface SignUpInput {
  username: string;
  email: string;
  password: string;
  firstName?: string;
  lastName?: string;
}

/**
 * What sign-up did: with verification on, `accepted` (202, the same for a new and a taken
 * address) and the mail to send; with it off, `signed_in` (201 and the sign-in answer).
 */
export type SignUpResult =
  { status: 'accepted'; outbox: Outbox } | { status: 'signed_in'; issued: IssuedTokens };

const TAKEN_USERNAME = 'A user with that username, or one that looks the same, already exists.';

/**
 * Validates the request as Django's sign-up form would: the username (Django's characters, unique
 * regardless of case and of lookalike letters), the address (one the kit can compare), the
 * password (the rules, against this very account's attributes). All problems at once.
 * @throws InvalidRequest (400) with `errors.username`, `errors.email`, `errors.password`.
 */
async function validate(
  ctx: AuthContext,
  input: SignUpInput,
): Promise<{ username: string; canonical: string }> {
  const errors: Record<string, string[]> = {};
  const username = normalizeUsername(input.username);
  const parsed = usernameSchema.safeParse(username);
  if (!parsed.success) errors.username = parsed.error.issues.map((issue) => issue.message);
  else if (await isUsernameConfusable(ctx.db, usernameColumns(username)))
    errors.username = [TAKEN_USERNAME];
  const canonical = canonicalEmail(input.email);
  if (!canonical) errors.email = ['Enter a valid e-mail address.'];
  const problems = passwordProblems(
    input.password,
    { username, email: input.email, firstName: input.firstName, lastName: input.lastName },
    ctx.config.passwordRules,
  );
  if (problems.length) errors.password = problems;
  if (Object.keys(errors).length || !canonical)
    throw new InvalidRequest('The sign-up details are not valid.', errors);
  return { username, canonical };
}

const takenUsername = () =>
  new InvalidRequest('The sign-up details are not valid.', { username: [TAKEN_USERNAME] });

/**
 * Inserts the account unless an account has the address already, under the address lock, so two
 * sign-ups with one address at once make one account; and under the username lock, so the name
 * is taken by exactly one of an account and a reservation. When the address is taken and
 * `reserve` is set (verification on), the username is reserved instead: it then looks exactly as
 * taken as the account a free address makes (docs/accounts.md, "No enumeration, and why").
 * @returns the new user, or the oldest existing user with the address.
 * @throws InvalidRequest (400, `errors.username`) when the name was taken meanwhile.
 */
async function createUnlessTaken(
  ctx: AuthContext,
  values: {
    username: string;
    canonical: string;
    input: SignUpInput;
    password: string;
    reserve: boolean;
  },
): Promise<{ created: User } | { existing: User }> {
  const names = usernameColumns(values.username);
  try {
    return await ctx.db.transaction(async (tx) => {
      await lockAddress(tx, values.canonical);
      await lockUsername(tx, names.usernameSkeleton);
      // Checked again under the lock: validate() read before it, for the all-at-once answer.
      if (await isUsernameConfusable(tx, names)) throw takenUsername();
      const [existing] = await findUsersByAddress(tx, values.canonical);
      if (existing) {
        if (values.reserve)
          await insertUsernameReservation(tx, {
            username: values.username,
            ...names,
            password: values.password,
            emailCanonical: values.canonical,
          });
        return { existing };
      }
      const created = await insertUser(tx, {
        username: values.username,
        ...names,
        ...emailColumns(values.input.email, false),
        password: values.password,
        firstName: values.input.firstName ?? '',
        lastName: values.input.lastName ?? '',
        selfRegistered: true,
      });
      return { created };
    });
  } catch (error) {
    // The same username taken a moment ago, by a name the skeleton lock does not cover (an older
    // row without a skeleton): the unique index answers.
    if (isUniqueViolation(error)) throw takenUsername();
    throw error;
  }
}

/**
 * POST /auth/sign-up/ (docs/contract.md section 8). With `requireEmailVerification` (the default)
 * the account is created unverified and a verification link is mailed; an address that already
 * has an account gets the very same answer in the same time (the password is hashed either way,
 * and the write it skips is waited out: ./timing.ts), and that account's owner is mailed instead,
 * with a password-reset link; its username is reserved, so it stays as taken as a new account's. The mail, and the token its link carries, are made after the answer
 * (the returned outbox). With verification off the new account is signed in at
 * once; an address in use is then refused (400 `errors.email`), since no answer could hide it
 * without making a second account on the address.
 * @throws NotFound when sign-up is off; InvalidRequest (400); Throttled (429).
 */
export async function signUp(
  ctx: AuthContext,
  input: SignUpInput,
  client: ClientInfo,
  now = new Date(),
): Promise<SignUpResult> {
  const { config, db } = ctx;
  if (!config.signUp) throw new NotFound();
  await checkAccountRequestThrottle(db, config, { kind: 'sign_up', address: client.address }, now);
  const { username, canonical } = await validate(ctx, input);
  const password = await hashPassword(input.password);
  const verify = config.requireEmailVerification;
  const started = performance.now();
  const outcome = await createUnlessTaken(ctx, {
    username,
    canonical,
    input,
    password,
    reserve: verify,
  });
  // A taken address wrote nothing: it answers no sooner than writing an account takes.
  if ('created' in outcome) recordAccountCreation(performance.now() - started);
  else if (verify) await waitLikeAccountCreation(db, started);

  if (!verify) {
    if ('existing' in outcome)
      throw new InvalidRequest('The sign-up details are not valid.', {
        email: ['An account with this e-mail address already exists.'],
      });
    await emitAuthEvent(config, {
      type: 'sign_up',
      userId: outcome.created.id,
      sid: null,
      address: client.address,
    });
    const issued = await openSession(ctx, {
      user: outcome.created,
      client,
      amr: ['pwd'],
      event: 'sign_in.success',
      now,
    });
    return { status: 'signed_in', issued };
  }

  const user = 'created' in outcome ? outcome.created : outcome.existing;
  await emitAuthEvent(config, {
    type: 'sign_up',
    userId: user.id,
    sid: null,
    address: client.address,
    ...('existing' in outcome ? { reason: 'address_taken' } : {}),
  });
  const kind = 'created' in outcome ? 'verify_email' : 'account_exists';
  if ('created' in outcome)
    return { status: 'accepted', outbox: [verificationMail(ctx, outcome.created, now)] };
  // The owner may have forgotten the password: the mail carries a reset link, when resets are on.
  const owner = outcome.existing;
  const withReset = config.passwordReset && owner.isActive;
  const mail: OutgoingMail = {
    kind,
    userId: owner.id,
    to: owner.email,
    now,
    async compose(site) {
      const token = withReset
        ? await issueLinkToken(ctx, {
            userId: owner.id,
            purpose: 'reset_password',
            email: owner.email,
            now,
          })
        : null;
      return accountExistsMail({
        to: owner.email,
        site: site.host,
        username: owner.username,
        resetLink: token ? tokenLink(site.origin, PAGES.resetPassword, token) : null,
        lifetimeSeconds: config.passwordResetLifetimeSeconds,
        signInUrl: `${site.origin}${PAGES.signIn}`,
      });
    },
  };
  return { status: 'accepted', outbox: [mail] };
}
