import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resendVerification, verifyEmail } from '@/auth/accounts/email';
import { confirmPasswordReset, requestPasswordReset } from '@/auth/accounts/password';
import { signUp } from '@/auth/accounts/sign-up';
import { InvalidRequest, InvalidToken } from '@/auth/errors';
import { signIn } from '@/auth/services/sign-in';
import { createUser } from '@/auth/services/users';
import { updateUser } from '@/db/queries/users';
import { sessions, users } from '@/db/schema';
import { later, type TestKit } from '../support/auth-context';
import {
  GOOD_PASSWORD,
  refusal,
  signedInByLink,
  startAccountsKit,
  tokenIn,
  composed,
} from '../support/accounts';

const DAY = 86_400;
const HALF_HOUR = 1800;

// Mailed links at a frozen clock (docs/contract.md section 8): lifetimes, single use,
// superseding, and what a reset does to sessions.
describe('mailed links at a frozen clock', () => {
  let kit: TestKit;
  const t0 = new Date(Math.floor(Date.now() / 1000) * 1000);
  beforeAll(async () => {
    kit = await startAccountsKit();
  });
  afterAll(() => kit.close());
  // No client address (no address header configured): these tests move the clock back and
  // forth, which the per-address window is not for (tests/flows/accounts-throttle.test.ts).
  const client = { address: null, userAgent: 'flows' };

  /** Signs `name` up at `at` and returns its verification token. */
  async function signedUp(name: string, at = t0): Promise<string> {
    const result = await signUp(
      kit.ctx,
      { username: name, email: `${name}@example.com`, password: GOOD_PASSWORD },
      client,
      at,
    );
    if (result.status !== 'accepted') throw new Error('expected 202');
    return tokenIn(await composed(kit.ctx, result.outbox[0]), '/verify-email');
  }

  const verifiedFlag = async (name: string) =>
    (await kit.ctx.db.select().from(users).where(eq(users.username, name)))[0]!.emailVerified;

  it('keeps a verification link for 24 hours and not a second longer', async () => {
    const early = await signedUp('lifetime-a');
    const late = await signedUp('lifetime-b');
    await verifyEmail(kit.ctx, early, client, later(t0, DAY - 1));
    expect(await verifiedFlag('lifetime-a')).toBe(true);
    expect(await refusal(verifyEmail(kit.ctx, late, client, later(t0, DAY)))).toBeInstanceOf(
      InvalidToken,
    );
    expect(await verifiedFlag('lifetime-b')).toBe(false);
  });

  it('uses a link once: the second use is invalid_token', async () => {
    const token = await signedUp('once');
    await verifyEmail(kit.ctx, token, client, later(t0, 5));
    const again = await refusal(verifyEmail(kit.ctx, token, client, later(t0, 6)));
    expect(again).toBeInstanceOf(InvalidToken);
    expect(again.message).toMatch(/used already|newer one|expired/);
  });

  it('lets exactly one of two racing uses of a link through', async () => {
    const token = await signedUp('race');
    const outcomes = await Promise.allSettled([
      verifyEmail(kit.ctx, token, client, later(t0, 5)),
      verifyEmail(kit.ctx, token, client, later(t0, 5)),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const rejected = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(InvalidToken);
  });

  it('refuses a verification link as a reset link, and it still verifies afterwards', async () => {
    const token = await signedUp('purpose-verify');
    const asReset = await refusal(
      confirmPasswordReset(
        kit.ctx,
        { token, password: 'brand-new-secret-9' },
        client,
        later(t0, 1),
      ),
    );
    expect(asReset).toBeInstanceOf(InvalidToken);
    await verifyEmail(kit.ctx, token, client, later(t0, 2));
    expect(await verifiedFlag('purpose-verify')).toBe(true);
  });

  it('refuses an unknown token', async () => {
    expect(await refusal(verifyEmail(kit.ctx, 'A'.repeat(43), client, t0))).toBeInstanceOf(
      InvalidToken,
    );
  });

  it('supersedes the sign-up link with a resent one, which works', async () => {
    const first = await signedUp('resent');
    const outbox = await resendVerification(kit.ctx, 'RESENT@example.com', client, later(t0, 60));
    expect(outbox).toHaveLength(1);
    const second = tokenIn(await composed(kit.ctx, outbox[0]), '/verify-email');
    expect(second).not.toBe(first);
    expect(await refusal(verifyEmail(kit.ctx, first, client, later(t0, 61)))).toBeInstanceOf(
      InvalidToken,
    );
    await verifyEmail(kit.ctx, second, client, later(t0, 62));
    expect(await verifiedFlag('resent')).toBe(true);
    // Verified now: a resend sends nothing more.
    expect(await resendVerification(kit.ctx, 'resent@example.com', client, later(t0, 63))).toEqual(
      [],
    );
  });

  it('resends nothing for an address without an account, and answers the same', async () => {
    expect(await resendVerification(kit.ctx, 'nobody-here@example.com', client, t0)).toEqual([]);
  });

  it('refuses a verification link for an address the user no longer has', async () => {
    const token = await signedUp('moved');
    const [user] = await kit.ctx.db.select().from(users).where(eq(users.username, 'moved'));
    await updateUser(kit.ctx.db, user!.id, {
      email: 'moved-elsewhere@example.com',
      emailCanonical: 'moved-elsewhere@example.com',
    });
    const error = await refusal(verifyEmail(kit.ctx, token, client, later(t0, 5)));
    expect(error).toBeInstanceOf(InvalidToken);
    expect(error.message).toMatch(/no longer uses/);
    expect(await verifiedFlag('moved')).toBe(false);
  });

  it("ends the session the browser's refresh cookie names when the link signs it in, whoever's it was", async () => {
    const sessionOf = async (sid: string) =>
      (await kit.ctx.db.select().from(sessions).where(eq(sessions.sid, sid)))[0]!;
    await createUser(kit.ctx.db, { username: 'switcher-old', password: 'switcher-pass-1' });
    // Signed in as another user, the browser opens a verification link: the old session ends.
    const other = await signIn(
      kit.ctx,
      { username: 'switcher-old', password: 'switcher-pass-1' },
      client,
      t0,
    );
    const token = await signedUp('switcher-new');
    const fresh = signedInByLink(
      await verifyEmail(kit.ctx, token, client, later(t0, 5), {
        browserRefreshToken: other.refreshToken,
      }),
    );
    expect((await sessionOf(other.sid)).revokedAt).not.toBeNull();
    expect((await sessionOf(fresh.sid)).revokedAt).toBeNull();
    expect(kit.events.filter((e) => e.type === 'logoff').at(-1)).toMatchObject({
      sid: other.sid,
    });
    // Its own earlier session too (a second link of the same user, here an e-mail change's).
    const [user] = await kit.ctx.db.select().from(users).where(eq(users.username, 'switcher-new'));
    const resent = await resendVerification(kit.ctx, 'switcher-new@example.com', client, t0);
    expect(resent).toHaveLength(0); // verified now: nothing to resend
    await updateUser(kit.ctx.db, user!.id, { emailVerified: false });
    const again = tokenIn(
      await composed(
        kit.ctx,
        (await resendVerification(kit.ctx, 'switcher-new@example.com', client, later(t0, 6)))[0]!,
      ),
      '/verify-email',
    );
    const second = signedInByLink(
      await verifyEmail(kit.ctx, again, client, later(t0, 7), {
        browserRefreshToken: fresh.refreshToken,
      }),
    );
    expect((await sessionOf(fresh.sid)).revokedAt).not.toBeNull();
    expect((await sessionOf(second.sid)).revokedAt).toBeNull();
    // A used link changes nothing: the browser's session stays.
    expect(
      await refusal(
        verifyEmail(kit.ctx, again, client, later(t0, 8), {
          browserRefreshToken: second.refreshToken,
        }),
      ),
    ).toBeInstanceOf(InvalidToken);
    expect((await sessionOf(second.sid)).revokedAt).toBeNull();
    // A cookie that is no refresh token is ignored.
    const third = tokenIn(
      await composed(
        kit.ctx,
        await signUp(
          kit.ctx,
          { username: 'switcher-3', email: 'switcher-3@example.com', password: GOOD_PASSWORD },
          client,
          t0,
        ).then((r) => (r.status === 'accepted' ? r.outbox[0]! : Promise.reject(new Error('202')))),
      ),
      '/verify-email',
    );
    signedInByLink(
      await verifyEmail(kit.ctx, third, client, later(t0, 9), { browserRefreshToken: 'garbage' }),
    );
    expect((await sessionOf(second.sid)).revokedAt).toBeNull();
  });

  describe('password reset', () => {
    beforeAll(async () => {
      await createUser(kit.ctx.db, {
        username: 'forgetful',
        password: 'forgetful-pass-1',
        email: 'forgetful@example.com',
      });
    });

    const resetLink = async (at: Date) => {
      const outbox = await requestPasswordReset(kit.ctx, 'forgetful@example.com', client, at);
      expect(outbox).toHaveLength(1);
      expect(outbox[0]).toMatchObject({ kind: 'password_reset' });
      return tokenIn(await composed(kit.ctx, outbox[0]), '/reset-password');
    };

    it('keeps a reset link for 30 minutes', async () => {
      const token = await resetLink(t0);
      const expired = await refusal(
        confirmPasswordReset(
          kit.ctx,
          { token, password: 'brand-new-secret-1' },
          client,
          later(t0, HALF_HOUR),
        ),
      );
      expect(expired).toBeInstanceOf(InvalidToken);
      const fresh = await resetLink(later(t0, HALF_HOUR));
      await confirmPasswordReset(
        kit.ctx,
        { token: fresh, password: 'brand-new-secret-1' },
        client,
        later(t0, 2 * HALF_HOUR - 1),
      );
    });

    it('leaves the link usable after a refused password', async () => {
      const token = await resetLink(t0);
      const weak = (await refusal(
        confirmPasswordReset(kit.ctx, { token, password: 'password1' }, client, later(t0, 1)),
      )) as InvalidRequest;
      expect(weak).toBeInstanceOf(InvalidRequest);
      expect(weak.errors).toEqual({ password: ['This password is too common.'] });
      const similar = (await refusal(
        confirmPasswordReset(kit.ctx, { token, password: 'forgetful' }, client, later(t0, 2)),
      )) as InvalidRequest;
      expect(similar.errors?.password).toContain('This password is too similar to your username.');
      await confirmPasswordReset(
        kit.ctx,
        { token, password: 'second-new-secret-2' },
        client,
        later(t0, 3),
      );
      expect(
        await refusal(
          confirmPasswordReset(
            kit.ctx,
            { token, password: 'third-new-secret-3' },
            client,
            later(t0, 4),
          ),
        ),
      ).toBeInstanceOf(InvalidToken);
    });

    it('refuses a reset link as a verification link, and it still resets afterwards', async () => {
      const token = await resetLink(t0);
      expect(await refusal(verifyEmail(kit.ctx, token, client, later(t0, 1)))).toBeInstanceOf(
        InvalidToken,
      );
      await confirmPasswordReset(
        kit.ctx,
        { token, password: 'purpose-new-secret-4' },
        client,
        later(t0, 2),
      );
    });

    it('supersedes an older reset link', async () => {
      const first = await resetLink(t0);
      const second = await resetLink(later(t0, 10));
      expect(
        await refusal(
          confirmPasswordReset(
            kit.ctx,
            { token: first, password: 'fourth-new-secret' },
            client,
            later(t0, 11),
          ),
        ),
      ).toBeInstanceOf(InvalidToken);
      await confirmPasswordReset(
        kit.ctx,
        { token: second, password: 'fourth-new-secret' },
        client,
        later(t0, 12),
      );
    });

    it('sets the password, revokes every session and counts the address as verified', async () => {
      // Hours later: the five mails an hour to this address were spent above.
      const now = later(t0, 4 * 3600);
      const a = await signIn(
        kit.ctx,
        { username: 'forgetful', password: 'fourth-new-secret' },
        client,
        now,
      );
      const b = await signIn(
        kit.ctx,
        { username: 'forgetful', password: 'fourth-new-secret' },
        client,
        now,
      );
      const token = await resetLink(now);
      await confirmPasswordReset(
        kit.ctx,
        { token, password: 'after-the-reset-5' },
        client,
        later(now, 1),
      );
      const rows = await kit.ctx.db.select().from(sessions).where(eq(sessions.userId, a.userId));
      for (const sid of [a.sid, b.sid])
        expect(rows.find((row) => row.sid === sid)?.revokedAt).not.toBeNull();
      expect(rows.every((row) => row.revokedAt !== null)).toBe(true);
      expect(await verifiedFlag('forgetful')).toBe(true);
      await signIn(kit.ctx, { username: 'forgetful', password: 'after-the-reset-5' }, client);
      expect(kit.events.find((e) => e.type === 'password.reset')).toMatchObject({
        userId: a.userId,
      });
    });

    it('mails nothing for an address without an active account', async () => {
      const [user] = await kit.ctx.db.select().from(users).where(eq(users.username, 'forgetful'));
      expect(await requestPasswordReset(kit.ctx, 'nobody@example.com', client, t0)).toEqual([]);
      expect(kit.events.at(-1)).toMatchObject({
        type: 'password.reset_requested',
        userId: null,
        reason: 'unknown_address',
      });
      // Later still, in a fresh mail window: only the inactive flag holds the mail back.
      const at = later(t0, 8 * 3600);
      await updateUser(kit.ctx.db, user!.id, { isActive: false });
      expect(await requestPasswordReset(kit.ctx, 'forgetful@example.com', client, at)).toEqual([]);
      await updateUser(kit.ctx.db, user!.id, { isActive: true });
      expect(await requestPasswordReset(kit.ctx, 'forgetful@example.com', client, at)).toHaveLength(
        1,
      );
    });
  });
});
