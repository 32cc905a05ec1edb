import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteAccount } from '@/auth/accounts/account';
import { requestEmailChange, resendVerification, verifyEmail } from '@/auth/accounts/email';
import { verifySecondStep } from '@/auth/mfa/second-step';
import { totpCode } from '@/auth/mfa/totp';
import {
  changePassword,
  confirmPasswordReset,
  requestPasswordReset,
} from '@/auth/accounts/password';
import { InvalidRequest, InvalidToken } from '@/auth/errors';
import { signIn } from '@/auth/services/sign-in';
import { createUser } from '@/auth/services/users';
import { users } from '@/db/schema';
import { signUp } from '@/auth/accounts/sign-up';
import { later, type TestKit } from '../support/auth-context';
import {
  GOOD_PASSWORD,
  claimsOf,
  composed,
  refusal,
  startAccountsKit,
  tokenIn,
  signedInByLink,
} from '../support/accounts';
import { turnOnTotp } from '../support/second-factors';

// Findings of the accounts security review (docs/accounts.md "Security notes"), each at a frozen
// clock.
const client = { address: null, userAgent: 'flows' };

describe('accounts review: pending links and a new password', () => {
  let kit: TestKit;
  const t0 = new Date(Math.floor(Date.now() / 1000) * 1000);
  beforeAll(async () => {
    kit = await startAccountsKit();
  });
  afterAll(() => kit.close());

  /** An owner with a verified address, and a session of theirs a thief has stolen. */
  async function owner(name: string) {
    const user = await createUser(kit.ctx.db, {
      username: name,
      password: `${name}-secret-pass`,
      email: `${name}@example.com`,
      emailVerified: true,
    });
    const stolen = await signIn(
      kit.ctx,
      { username: name, password: `${name}-secret-pass` },
      client,
      t0,
    );
    return { user, stolen: claimsOf(stolen) };
  }

  /** The thief, with the stolen session, asks for the account's address to become theirs. */
  async function thiefAsksForAddress(stolen: ReturnType<typeof claimsOf>, name: string) {
    const outbox = await requestEmailChange(
      kit.ctx,
      stolen,
      { newEmail: `${name}-thief@evil.example`, password: undefined },
      client,
      later(t0, 10),
    );
    return tokenIn(
      await composed(
        kit.ctx,
        outbox.find((mail) => mail.kind === 'email_change_confirm'),
      ),
      '/verify-email',
    );
  }

  const addressOf = async (id: number) =>
    (await kit.ctx.db.select().from(users).where(eq(users.id, id)))[0]!.email;

  it('kills a pending e-mail change link when the owner resets the password', async () => {
    const { user, stolen } = await owner('reset-owner');
    const changeLink = await thiefAsksForAddress(stolen, 'reset-owner');
    const outbox = await requestPasswordReset(
      kit.ctx,
      'reset-owner@example.com',
      client,
      later(t0, 20),
    );
    const resetLink = tokenIn(await composed(kit.ctx, outbox[0]), '/reset-password');
    await confirmPasswordReset(
      kit.ctx,
      { token: resetLink, password: 'taken-back-secret-9' },
      client,
      later(t0, 30),
    );
    expect(await refusal(verifyEmail(kit.ctx, changeLink, client, later(t0, 40)))).toBeInstanceOf(
      InvalidToken,
    );
    expect(await addressOf(user.id)).toBe('reset-owner@example.com');
  });

  it('kills a pending e-mail change link when the owner changes the password', async () => {
    const { user, stolen } = await owner('change-owner');
    const changeLink = await thiefAsksForAddress(stolen, 'change-owner');
    const own = await signIn(
      kit.ctx,
      { username: 'change-owner', password: 'change-owner-secret-pass' },
      client,
      later(t0, 20),
    );
    await changePassword(
      kit.ctx,
      claimsOf(own),
      { currentPassword: 'change-owner-secret-pass', newPassword: 'taken-back-secret-9' },
      client,
      later(t0, 30),
    );
    expect(await refusal(verifyEmail(kit.ctx, changeLink, client, later(t0, 40)))).toBeInstanceOf(
      InvalidToken,
    );
    expect(await addressOf(user.id)).toBe('change-owner@example.com');
  });

  it('kills the reset link mailed to the old address once an e-mail change is confirmed', async () => {
    const { user, stolen } = await owner('mover');
    const outbox = await requestPasswordReset(kit.ctx, 'mover@example.com', client, later(t0, 5));
    const resetLink = tokenIn(await composed(kit.ctx, outbox[0]), '/reset-password');
    const changeLink = await thiefAsksForAddress(stolen, 'mover');
    await verifyEmail(kit.ctx, changeLink, client, later(t0, 20));
    expect(await addressOf(user.id)).toBe('mover-thief@evil.example');
    expect(
      await refusal(
        confirmPasswordReset(
          kit.ctx,
          { token: resetLink, password: 'old-mailbox-secret-3' },
          client,
          later(t0, 30),
        ),
      ),
    ).toBeInstanceOf(InvalidToken);
  });
});

describe('accounts review: a session opened by a mailed link', () => {
  let kit: TestKit;
  const t0 = new Date(Math.floor(Date.now() / 1000) * 1000);
  beforeAll(async () => {
    kit = await startAccountsKit();
  });
  afterAll(() => kit.close());

  /** Signs `name` up and opens a session with the verification link, at t0 + 10 s. */
  async function linkSession(name: string) {
    const result = await signUp(
      kit.ctx,
      { username: name, email: `${name}@example.com`, password: GOOD_PASSWORD },
      client,
      t0,
    );
    if (result.status !== 'accepted') throw new Error('expected 202');
    const token = tokenIn(await composed(kit.ctx, result.outbox[0]), '/verify-email');
    return claimsOf(signedInByLink(await verifyEmail(kit.ctx, token, client, later(t0, 10))));
  }

  it('says "email" in amr, not "otp"', async () => {
    expect((await linkSession('amr-email')).amr).toEqual(['email']);
  });

  it('is no recent sign-in: an e-mail change and a deletion need the password', async () => {
    const claims = await linkSession('link-opened');
    const change = (await refusal(
      requestEmailChange(
        kit.ctx,
        claims,
        { newEmail: 'link-opened-2@example.com', password: undefined },
        client,
        later(t0, 20),
      ),
    )) as InvalidRequest;
    expect(change).toBeInstanceOf(InvalidRequest);
    expect(change.errors).toEqual({ password: ['Enter your password to confirm.'] });
    const deletion = (await refusal(
      deleteAccount(kit.ctx, claims, { password: undefined }, client, later(t0, 20)),
    )) as InvalidRequest;
    expect(deletion.errors).toEqual({ password: ['Enter your password to confirm.'] });
    // With the password, the same session may.
    expect(
      await requestEmailChange(
        kit.ctx,
        claims,
        { newEmail: 'link-opened-2@example.com', password: GOOD_PASSWORD },
        client,
        later(t0, 30),
      ),
    ).toHaveLength(2);
  });
});

describe('accounts review: a mailed link for a user with TOTP on', () => {
  let kit: TestKit;
  const t0 = new Date(Math.floor(Date.now() / 30_000) * 30_000 - 300_000);
  beforeAll(async () => {
    kit = await startAccountsKit();
  });
  afterAll(() => kit.close());

  it('answers the second step, not a session: the mailbox does not stand in for the code', async () => {
    const user = await createUser(kit.ctx.db, {
      username: 'totp-mailbox',
      email: 'totp-mailbox@example.com',
      password: GOOD_PASSWORD,
    });
    const issued = await signIn(
      kit.ctx,
      { username: 'totp-mailbox', password: GOOD_PASSWORD },
      client,
      t0,
    );
    const { secret } = await turnOnTotp(kit, claimsOf(issued), t0);
    const outbox = await resendVerification(
      kit.ctx,
      'totp-mailbox@example.com',
      client,
      later(t0, 5),
    );
    const token = tokenIn(await composed(kit.ctx, outbox[0]), '/verify-email');
    const outcome = await verifyEmail(kit.ctx, token, client, later(t0, 10));
    expect(outcome).not.toHaveProperty('accessToken');
    expect(outcome.secondStep?.mfaToken).toMatch(/^[\w-]{20,}$/);
    // The address is verified all the same; the session needs the code.
    const [row] = await kit.ctx.db.select().from(users).where(eq(users.id, user.id));
    expect(row!.emailVerified).toBe(true);
    const done = await verifySecondStep(
      kit.ctx,
      { mfaToken: outcome.secondStep!.mfaToken, code: totpCode(secret, later(t0, 40)) },
      client,
      later(t0, 40),
    );
    expect(claimsOf(done).amr).toEqual(expect.arrayContaining(['email', 'otp']));
  });
});
