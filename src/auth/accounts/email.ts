import {
  deleteMailTokens,
  findUsersByAddress,
  lockAddress,
  spendMailToken,
} from '@/db/queries/mail-tokens';
import { findUserById, updateUser } from '@/db/queries/users';
import type { User } from '@/db/schema';
import {
  emailChangeConfirmMail,
  emailChangeNoticeMail,
  emailChangeTakenMail,
  verifyEmailMail,
} from '@/mail';
import type { AuthContext } from '../context';
import { InvalidRequest, InvalidToken } from '../errors';
import { emitAuthEvent } from '../events';
import type { ClientInfo } from '../client-info';
import { canonicalEmail, emailColumns } from '../identity';
import type { IssuedTokens } from '../sessions/issue';
import { needsSecondFactor, startSecondStep, type SecondStepRequired } from '../mfa/second-step';
import { logoff } from '../sessions/end';
import { openSession } from '../sessions/open';
import { checkAccountRequestThrottle } from '../throttle/accounts';
import type { AccessTokenClaims } from '../tokens/types';
import { confirmSensitiveAction, requireLiveSession } from './confirm';
import { PAGES, linkMail, noticeMail, type OutgoingMail, type Outbox } from './mail';
import { hashMailToken } from './tokens';

/**
 * How a session opened by a mailed link authenticated, in the access token's `amr`: `email`, the
 * kit's own value (RFC 8176 lets a deployment add values). Not `otp`: a link proves only access
 * to the mailbox, so such a session is no recent sign-in for a sensitive action (confirm.ts), and
 * it never carries `mfa`.
 */
const LINK_AMR = ['email'] as const;

/** The address of an e-mail form, canonical, or a 400 naming `field`. */
export function requireAddress(email: string, field: string): string {
  const canonical = canonicalEmail(email);
  if (!canonical)
    throw new InvalidRequest('The e-mail address is not valid.', {
      [field]: ['Enter a valid e-mail address.'],
    });
  return canonical;
}

/** The change a used link made, for the event. */
type Verified = { user: User; kind: 'verify_email' | 'change_email' };

/**
 * Uses a verification or e-mail change link and makes its change, in one transaction, so the link
 * stays unused when the change cannot be made:
 * - `verify_email`: the address counts as verified, if the user still has the address the link
 *   was mailed to (a link proves that address only);
 * - `change_email`: the user's address becomes the new one, verified, if no other account has
 *   taken it since the request (checked under the address lock); the reset and verification links
 *   still pending went to the old address, and are dropped.
 */
async function spendLink(ctx: AuthContext, token: string, now: Date): Promise<Verified> {
  return ctx.db.transaction(async (tx) => {
    const used = await spendMailToken(tx, {
      tokenHash: hashMailToken(token),
      purposes: ['verify_email', 'change_email'],
      now,
    });
    if (!used) throw new InvalidToken();
    const user = await findUserById(tx, used.userId);
    if (!user || !user.isActive) throw new InvalidToken();
    const address = canonicalEmail(used.email);
    if (used.purpose === 'verify_email') {
      if (!address || canonicalEmail(user.email) !== address)
        throw new InvalidToken(
          'This link was sent to an address your account no longer uses. Ask for a new one.',
        );
      const updated = await updateUser(tx, user.id, { emailVerified: true });
      return { user: updated ?? user, kind: 'verify_email' };
    }
    if (!address) throw new InvalidToken();
    await lockAddress(tx, address);
    const holders = await findUsersByAddress(tx, address);
    // The holder of this link owns the mailbox: telling them it is taken reveals nothing new.
    if (holders.some((holder) => holder.id !== user.id))
      throw new InvalidToken(
        'This address now belongs to another account, so your address was not changed.',
      );
    const updated = await updateUser(tx, user.id, emailColumns(used.email, true));
    // Reset and verification links went to the old address, which is no longer the account's.
    await deleteMailTokens(tx, user.id, ['reset_password', 'verify_email']);
    return { user: updated ?? user, kind: 'change_email' };
  });
}

/** What a used link answers: a session, or for a user with TOTP on the second step of sign-in. */
export type LinkOutcome =
  (IssuedTokens & { secondStep?: undefined }) | { secondStep: SecondStepRequired };

/**
 * POST /auth/email/verify/ (docs/contract.md section 8): uses a verification or e-mail change
 * link and signs the user in (the sign-in answer, a new session). A link proves the mailbox only,
 * so a user with TOTP on gets the second step instead (section 9): the mailbox must not stand in
 * for the second factor.
 *
 * `browserRefreshToken` is the refresh cookie the browser sent: when the link signs the browser
 * in, the session that cookie names is ended (log-off), whoever's it was. The new session's cookie
 * replaces it in the browser, so left alive it would be a credential nobody holds any more except
 * whoever copied it; and a browser switching accounts must not keep the first one signed in
 * unseen. A cookie that is no genuine refresh token is ignored; the second step (TOTP) leaves it
 * for now, since the browser is not signed in yet (docs/accounts.md).
 * @throws InvalidToken (400) for an unknown, used, superseded or expired link; Throttled (429).
 */
export async function verifyEmail(
  ctx: AuthContext,
  token: string,
  client: ClientInfo,
  now = new Date(),
  { browserRefreshToken }: { browserRefreshToken?: string | null } = {},
): Promise<LinkOutcome> {
  await checkAccountRequestThrottle(
    ctx.db,
    ctx.config,
    { kind: 'link', address: client.address },
    now,
  );
  const { user, kind } = await spendLink(ctx, token, now);
  await emitAuthEvent(ctx.config, {
    type: kind === 'verify_email' ? 'email.verified' : 'email.changed',
    userId: user.id,
    sid: null,
    address: client.address,
  });
  if (await needsSecondFactor(ctx, user))
    return {
      secondStep: await startSecondStep(ctx, {
        user,
        amr: LINK_AMR,
        event: 'sign_in.success',
        now,
      }),
    };
  const issued = await openSession(ctx, {
    user,
    client,
    amr: LINK_AMR,
    event: 'sign_in.success',
    now,
  });
  if (browserRefreshToken) await logoff(ctx, browserRefreshToken, client);
  return issued;
}

/** The verification mail of a user's current address (sign-up, resend). */
export function verificationMail(ctx: AuthContext, user: User, now: Date): OutgoingMail {
  return linkMail(
    ctx,
    {
      kind: 'verify_email',
      userId: user.id,
      purpose: 'verify_email',
      email: user.email,
      page: PAGES.verifyEmail,
      now,
    },
    (site, link) =>
      verifyEmailMail({
        to: user.email,
        site: site.host,
        username: user.username,
        link,
        lifetimeSeconds: ctx.config.emailVerificationLifetimeSeconds,
      }),
  );
}

/**
 * POST /auth/email/resend/: a new verification link (superseding the older ones) for every
 * active account with this address that has not verified it; for any other address, the same
 * answer after the same lookups, and no mail.
 * @throws InvalidRequest (400) for a malformed address; Throttled (429).
 */
export async function resendVerification(
  ctx: AuthContext,
  email: string,
  client: ClientInfo,
  now = new Date(),
): Promise<Outbox> {
  const { config, db } = ctx;
  await checkAccountRequestThrottle(db, config, { kind: 'mail', address: client.address }, now);
  const canonical = requireAddress(email, 'email');
  const waiting = (await findUsersByAddress(db, canonical)).filter(
    (user) => user.isActive && !user.emailVerified,
  );
  const outbox: Outbox = [];
  for (const user of waiting) outbox.push(verificationMail(ctx, user, now));
  return outbox;
}

/**
 * POST /auth/email/change/ (Bearer): after the password (or a recent sign-in), mails a
 * confirmation link to the new address and a notice to the old one; the address changes only
 * when the link is used. A new address that already has an account gets the same answer, and
 * its owner a mail saying someone tried; the old address gets its notice either way.
 * @throws InvalidRequest (400: `errors.password`, `errors.new_email`); TokenNotValid (401);
 * Throttled (429).
 */
export async function requestEmailChange(
  ctx: AuthContext,
  claims: AccessTokenClaims,
  input: { newEmail: string; password: string | undefined },
  client: ClientInfo,
  now = new Date(),
): Promise<Outbox> {
  const { config, db } = ctx;
  const session = await requireLiveSession(ctx, claims, now);
  const { user } = session;
  const canonical = requireAddress(input.newEmail, 'new_email');
  await confirmSensitiveAction(ctx, { session, password: input.password, client, now });
  if (canonical === canonicalEmail(user.email))
    throw new InvalidRequest('The e-mail address is the same.', {
      new_email: ['This is already your e-mail address.'],
    });
  const oldCanonical = canonicalEmail(user.email);
  const taken = (await findUsersByAddress(db, canonical)).some((other) => other.id !== user.id);
  await emitAuthEvent(config, {
    type: 'email.change_requested',
    userId: user.id,
    sid: session.sid,
    address: client.address,
    ...(taken ? { reason: 'address_taken' } : {}),
  });
  const outbox: Outbox = [];
  if (taken)
    outbox.push(
      noticeMail({ kind: 'email_change_taken', userId: null, to: input.newEmail, now }, (site) =>
        emailChangeTakenMail({
          to: input.newEmail,
          site: site.host,
          signInUrl: `${site.origin}${PAGES.signIn}`,
          forgotPasswordUrl: `${site.origin}${PAGES.forgotPassword}`,
        }),
      ),
    );
  else
    outbox.push(
      linkMail(
        ctx,
        {
          kind: 'email_change_confirm',
          userId: user.id,
          purpose: 'change_email',
          email: input.newEmail,
          page: PAGES.verifyEmail,
          now,
        },
        (site, link) =>
          emailChangeConfirmMail({
            to: input.newEmail,
            site: site.host,
            username: user.username,
            link,
            lifetimeSeconds: config.emailVerificationLifetimeSeconds,
          }),
      ),
    );
  if (oldCanonical)
    outbox.push(
      noticeMail({ kind: 'email_change_notice', userId: user.id, to: user.email, now }, (site) =>
        emailChangeNoticeMail({
          to: user.email,
          site: site.host,
          username: user.username,
          newEmail: input.newEmail,
          forgotPasswordUrl: `${site.origin}${PAGES.forgotPassword}`,
        }),
      ),
    );
  return outbox;
}
