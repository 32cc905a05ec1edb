import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteAccount } from '@/auth/accounts/account';
import { requestEmailChange, resendVerification, verifyEmail } from '@/auth/accounts/email';
import { deliverOutbox } from '@/auth/accounts/mail';
import { verifySecondStep } from '@/auth/mfa/second-step';
import { totpCode } from '@/auth/mfa/totp';
import type { Mailer, MailMessage } from '@/mail';
import {
  changePassword,
  confirmPasswordReset,
  requestPasswordReset,
} from '@/auth/accounts/password';
import { InvalidRequest, InvalidToken, Throttled } from '@/auth/errors';
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

describe("accounts review: a stranger cannot stop the owner's mail", () => {
  let kit: TestKit;
  const t0 = new Date(Math.floor(Date.now() / 1000) * 1000);
  beforeAll(async () => {
    kit = await startAccountsKit();
  });
  afterAll(() => kit.close());

  function captureMailer(): Mailer & { sent: MailMessage[] } {
    const sent: MailMessage[] = [];
    return { sent, send: async (message) => void sent.push(message) };
  }

  it('still mails the owner a reset link after floods of resend and sign-up requests', async () => {
    await createUser(kit.ctx.db, {
      username: 'targeted',
      password: 'targeted-secret-pass',
      email: 'targeted@example.com',
      emailVerified: true,
    });
    const mailer = captureMailer();
    // Resend requests for a verified address send nothing, so they count nothing.
    for (let i = 0; i < 10; i++)
      await deliverOutbox(
        kit.ctx,
        await resendVerification(kit.ctx, 'targeted@example.com', client, later(t0, i)),
        client,
        mailer,
      );
    expect(mailer.sent).toHaveLength(0);
    // Sign-ups with the address mail its owner ("an account exists"), up to their own limit.
    for (let i = 0; i < 7; i++) {
      const result = await signUp(
        kit.ctx,
        { username: `squatter${i}`, email: 'targeted@example.com', password: GOOD_PASSWORD },
        client,
        later(t0, 20 + i),
      );
      if (result.status !== 'accepted') throw new Error('expected 202');
      await deliverOutbox(kit.ctx, result.outbox, client, mailer);
    }
    expect(mailer.sent).toHaveLength(5);
    // The owner's own reset request is a kind of its own: it goes out, and its link works.
    const outbox = await requestPasswordReset(
      kit.ctx,
      'targeted@example.com',
      client,
      later(t0, 60),
    );
    await deliverOutbox(kit.ctx, outbox, client, mailer);
    expect(mailer.sent).toHaveLength(6);
    const token = tokenIn(mailer.sent[5]!, '/reset-password');
    await confirmPasswordReset(
      kit.ctx,
      { token, password: 'owner-is-back-7' },
      client,
      later(t0, 70),
    );
  });

  it('holds a sixth resend within the hour, and still sends the owner a reset link', async () => {
    // Five resends for an unverified account go out; a sixth is held; the owner's reset is not.
    const result = await signUp(
      kit.ctx,
      { username: 'waiting', email: 'waiting@example.com', password: GOOD_PASSWORD },
      client,
      t0,
    );
    if (result.status !== 'accepted') throw new Error('expected 202');
    const mailer = captureMailer();
    await deliverOutbox(kit.ctx, result.outbox, client, mailer);
    for (let i = 1; i <= 6; i++)
      await deliverOutbox(
        kit.ctx,
        await resendVerification(kit.ctx, 'waiting@example.com', client, later(t0, i)),
        client,
        mailer,
      );
    expect(mailer.sent).toHaveLength(5);
    await deliverOutbox(
      kit.ctx,
      await requestPasswordReset(kit.ctx, 'waiting@example.com', client, later(t0, 10)),
      client,
      mailer,
    );
    expect(mailer.sent).toHaveLength(6);
    expect(tokenIn(mailer.sent[5]!, '/reset-password')).toMatch(/^[\w-]{43}$/);
  });
});

describe('accounts review: no client-address header', () => {
  let kit: TestKit;
  const t0 = new Date(Math.floor(Date.now() / 1000) * 1000);
  const rules = {
    username: { limit: 5, windowSeconds: 900 },
    address: { limit: 30, windowSeconds: 900 },
    global: { limit: 3, windowSeconds: 900 },
  };
  beforeAll(async () => {
    kit = await startAccountsKit({ throttle: rules });
  });
  afterAll(() => kit.close());

  it('bounds sign-ups across all clients with the global rule', async () => {
    expect(kit.ctx.config.clientAddressHeader).toBeNull();
    // Only sign-ups count in it (they hash a password and write an account): mail requests and
    // links of others hold no one back (review r1, tests/flows/accounts-mfa-review.test.ts).
    for (let i = 0; i < 3; i++)
      await signUp(
        kit.ctx,
        { username: `early-${i}`, email: `early-${i}@example.com`, password: GOOD_PASSWORD },
        client,
        later(t0, i),
      );
    const held = await refusal(
      signUp(
        kit.ctx,
        { username: 'bulk', email: 'bulk@example.com', password: GOOD_PASSWORD },
        client,
        later(t0, 5),
      ),
    );
    expect(held).toBeInstanceOf(Throttled);
    expect(Number((held as Throttled).headers['Retry-After'])).toBe(900 - 5);
    expect(await kit.ctx.db.select().from(users).where(eq(users.username, 'bulk'))).toEqual([]);
    // Sign-in's failures have a window of their own: these requests took none of it.
    await kit.user('unaffected');
    await signIn(
      kit.ctx,
      { username: 'unaffected', password: 'unaffected-password-1' },
      client,
      later(t0, 6),
    );
    // The window passes.
    await signUp(
      kit.ctx,
      { username: 'bulk', email: 'bulk@example.com', password: GOOD_PASSWORD },
      client,
      later(t0, 900),
    );
  });

  it('counts by client address instead when the address is known', async () => {
    const known = { address: '198.51.100.20', userAgent: 'flows' };
    for (let i = 0; i < 5; i++)
      await resendVerification(kit.ctx, `someone-${i}@example.com`, known, later(t0, 2000 + i));
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
