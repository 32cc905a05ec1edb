import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverOutbox } from '@/auth/accounts/mail';
import { requestEmailChange } from '@/auth/accounts/email';
import { confirmPasswordReset, requestPasswordReset } from '@/auth/accounts/password';
import { signUp } from '@/auth/accounts/sign-up';
import { Throttled } from '@/auth/errors';
import { signIn } from '@/auth/services/sign-in';
import { createUser } from '@/auth/services/users';
import { mailTokens, users } from '@/db/schema';
import type { Mailer, MailMessage } from '@/mail';
import { later, type TestKit } from '../support/auth-context';
import { GOOD_PASSWORD, claimsOf, refusal, startAccountsKit, tokenIn } from '../support/accounts';

const anonymous = { address: null, userAgent: 'flows' };

/** A mailer that keeps what it is given. */
function captureMailer(): Mailer & { sent: (MailMessage & { from: string })[] } {
  const sent: (MailMessage & { from: string })[] = [];
  return { sent, send: async (message) => void sent.push(message) };
}

describe('mail delivery and its limits', () => {
  let kit: TestKit;
  beforeAll(async () => {
    kit = await startAccountsKit({
      mail: { from: 'Example <no-reply@example.com>', timeout: '1s' },
    });
  });
  afterAll(() => kit.close());

  it('hands the composed mail to the mailer, from MAIL_FROM', async () => {
    const result = await signUp(
      kit.ctx,
      { username: 'posted', email: 'posted@example.com', password: GOOD_PASSWORD },
      anonymous,
    );
    if (result.status !== 'accepted') throw new Error('expected 202');
    const mailer = captureMailer();
    await deliverOutbox(kit.ctx, result.outbox, anonymous, mailer);
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.sent[0]).toMatchObject({
      from: 'Example <no-reply@example.com>',
      to: 'posted@example.com',
    });
    expect(tokenIn(mailer.sent[0]!, '/verify-email')).toMatch(/^[\w-]{43}$/);
  });

  it('keeps the account change when the mail server fails, and reports mail.failed', async () => {
    const result = await signUp(
      kit.ctx,
      { username: 'unlucky', email: 'unlucky@example.com', password: GOOD_PASSWORD },
      anonymous,
    );
    if (result.status !== 'accepted') throw new Error('expected 202');
    const failing: Mailer = { send: async () => Promise.reject(new Error('421 try later')) };
    await deliverOutbox(kit.ctx, result.outbox, anonymous, failing);
    const [user] = await kit.ctx.db.select().from(users).where(eq(users.username, 'unlucky'));
    expect(user).toBeDefined();
    expect(kit.events.at(-1)).toMatchObject({
      type: 'mail.failed',
      userId: user!.id,
      reason: 'smtp_error',
      mail: 'verify_email',
    });
    // Nothing of the mail in the event.
    expect(JSON.stringify(kit.events.at(-1))).not.toContain('#token=');
  });

  it('gives up on a stalled mail server at the mail timeout', async () => {
    const result = await signUp(
      kit.ctx,
      { username: 'stalled', email: 'stalled@example.com', password: GOOD_PASSWORD },
      anonymous,
    );
    if (result.status !== 'accepted') throw new Error('expected 202');
    const stalled: Mailer = { send: () => new Promise(() => {}) };
    const started = performance.now();
    await deliverOutbox(kit.ctx, result.outbox, anonymous, stalled);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(3000);
    expect(kit.events.at(-1)).toMatchObject({ type: 'mail.failed', reason: 'timeout' });
  });

  it('mails one address at most 5 times an hour, and answers the sixth request the same', async () => {
    await createUser(kit.ctx.db, {
      username: 'popular',
      password: 'popular-secret-pass',
      email: 'popular@example.com',
    });
    const t0 = new Date();
    const mailer = captureMailer();
    for (let i = 0; i < 5; i++) {
      const outbox = await requestPasswordReset(
        kit.ctx,
        'popular@example.com',
        anonymous,
        later(t0, i),
      );
      expect(outbox).toHaveLength(1);
      await deliverOutbox(kit.ctx, outbox, anonymous, mailer);
    }
    expect(mailer.sent).toHaveLength(5);
    const fifth = tokenIn(mailer.sent[4]!, '/reset-password');
    // The sixth is answered the same (the limit is applied at delivery, after the answer), and
    // nothing is sent; its link is never issued, so the fifth one still works.
    const sixth = await requestPasswordReset(
      kit.ctx,
      'Popular@example.com',
      anonymous,
      later(t0, 10),
    );
    await deliverOutbox(kit.ctx, sixth, anonymous, mailer);
    expect(mailer.sent).toHaveLength(5);
    await confirmPasswordReset(
      kit.ctx,
      { token: fifth, password: 'popular-new-secret-1' },
      anonymous,
      later(t0, 11),
    );
    // The window passes: mail goes out again, and its link works.
    const outbox = await requestPasswordReset(
      kit.ctx,
      'popular@example.com',
      anonymous,
      later(t0, 3600),
    );
    await deliverOutbox(kit.ctx, outbox, anonymous, mailer);
    expect(mailer.sent).toHaveLength(6);
    expect(tokenIn(mailer.sent[5]!, '/reset-password')).toMatch(/^[\w-]{43}$/);
  });

  it('refuses a client address past its limit with 429 and a Retry-After (30 in 15 minutes)', async () => {
    const client = { address: '198.51.100.9', userAgent: 'flows' };
    const t0 = new Date();
    for (let i = 0; i < 30; i++)
      await requestPasswordReset(kit.ctx, `nobody-${i}@example.com`, client, later(t0, i));
    const held = await refusal(
      requestPasswordReset(kit.ctx, 'nobody-31@example.com', client, later(t0, 30)),
    );
    expect(held).toBeInstanceOf(Throttled);
    expect(Number((held as Throttled).headers['Retry-After'])).toBe(900 - 30);
    // Another client address is not held.
    await requestPasswordReset(
      kit.ctx,
      'nobody-32@example.com',
      { address: '198.51.100.10', userAgent: 'flows' },
      later(t0, 30),
    );
  });
});

describe('mail without AUTH_APP_URL', () => {
  // Production requires AUTH_APP_URL while sign-up or password reset is on; with both off, an
  // e-mail change is the one mail left, and its link must still never come from the request.
  it('builds no link from anything else, and reports the mail as failed', async () => {
    const kit = await startAccountsKit(
      { signUp: false, passwordReset: false },
      { appUrl: undefined, smtpUrl: undefined },
    );
    try {
      expect(kit.ctx.config.appUrl).toBeNull();
      await createUser(kit.ctx.db, {
        username: 'linkless',
        password: 'linkless-secret-pass',
        email: 'linkless@example.com',
      });
      const issued = await signIn(
        kit.ctx,
        { username: 'linkless', password: 'linkless-secret-pass' },
        anonymous,
      );
      const outbox = await requestEmailChange(
        kit.ctx,
        claimsOf(issued),
        { newEmail: 'linkless2@example.com', password: 'linkless-secret-pass' },
        anonymous,
      );
      expect(outbox.map((m) => m.kind)).toEqual(['email_change_confirm', 'email_change_notice']);
      const mailer = captureMailer();
      await deliverOutbox(kit.ctx, outbox, anonymous, mailer);
      expect(mailer.sent).toEqual([]);
      // Not even a token was made: the mail was never composed.
      expect(await kit.ctx.db.select().from(mailTokens)).toEqual([]);
      expect(kit.events.slice(-2)).toMatchObject([
        { type: 'mail.failed', reason: 'no_app_url', mail: 'email_change_confirm' },
        { type: 'mail.failed', reason: 'no_app_url', mail: 'email_change_notice' },
      ]);
    } finally {
      await kit.close();
    }
  });
});
