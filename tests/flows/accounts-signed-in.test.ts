import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteAccount, readAccount } from '@/auth/accounts/account';
import { requestEmailChange, verifyEmail } from '@/auth/accounts/email';
import { changePassword } from '@/auth/accounts/password';
import { InvalidRequest, InvalidToken, Throttled, TokenNotValid } from '@/auth/errors';
import { refreshTokens } from '@/auth/sessions/rotate';
import { openSession } from '@/auth/sessions/open';
import { signIn } from '@/auth/services/sign-in';
import { createUser } from '@/auth/services/users';
import { linkIdentity } from '@/db/queries/identities';
import { findLiveSession } from '@/db/queries/current-user';
import {
  identities,
  mailTokens,
  outstandingTokens,
  sessions,
  userGroups,
  users,
} from '@/db/schema';
import { grantRole } from '@/auth/services/roles';
import { later, type TestKit } from '../support/auth-context';
import {
  APP_URL,
  claimsOf,
  refusal,
  startAccountsKit,
  tokenIn,
  composed,
  signedInByLink,
} from '../support/accounts';

const client = { address: null, userAgent: 'flows' };

describe('the signed-in account endpoints at a frozen clock', () => {
  let kit: TestKit;
  beforeAll(async () => {
    kit = await startAccountsKit();
  });
  afterAll(() => kit.close());

  /** A user with a password and an address, and one signed-in session of theirs at `at`. */
  async function signedIn(name: string, at = new Date()) {
    const user = await createUser(kit.ctx.db, {
      username: name,
      password: `${name}-secret-pass`,
      email: `${name}@example.com`,
      emailVerified: true,
    });
    const issued = await signIn(
      kit.ctx,
      { username: name, password: `${name}-secret-pass` },
      client,
      at,
    );
    return { user, issued, claims: claimsOf(issued) };
  }

  describe('password change', () => {
    it('answers new tokens for the same session and revokes every other session', async () => {
      const now = new Date();
      const other = await signedIn('changer', now);
      const here = await signIn(
        kit.ctx,
        { username: 'changer', password: 'changer-secret-pass' },
        client,
        now,
      );
      const issued = await changePassword(
        kit.ctx,
        claimsOf(here),
        { currentPassword: 'changer-secret-pass', newPassword: 'a-fresh-secret-42' },
        client,
        later(now, 1),
      );
      expect(issued.sid).toBe(here.sid);
      expect(issued.refreshToken).not.toBe(here.refreshToken);
      expect(issued.accessToken).not.toBe(here.accessToken);
      expect(claimsOf(issued)).toMatchObject({ sid: here.sid, sub: String(other.user.id) });
      const rows = await kit.ctx.db
        .select()
        .from(sessions)
        .where(eq(sessions.userId, other.user.id));
      expect(rows.find((r) => r.sid === other.issued.sid)?.revokedAt).not.toBeNull();
      expect(rows.find((r) => r.sid === here.sid)?.revokedAt).toBeNull();
      // The new refresh token is the session's live one; the old one was rotated into it.
      const refreshed = await refreshTokens(kit.ctx, issued.refreshToken, client, later(now, 2));
      expect(refreshed.sid).toBe(here.sid);
      // The new password signs in, the old one does not.
      await signIn(kit.ctx, { username: 'changer', password: 'a-fresh-secret-42' }, client);
      expect(kit.events.find((e) => e.type === 'password.changed')).toMatchObject({
        userId: other.user.id,
        sid: here.sid,
      });
    });

    it('refuses a wrong current password (400 errors.current_password) and a weak new one, changing nothing', async () => {
      const { user, claims } = await signedIn('careful');
      const wrong = (await refusal(
        changePassword(
          kit.ctx,
          claims,
          { currentPassword: 'nope-nope-nope', newPassword: 'a-fresh-secret-42' },
          client,
        ),
      )) as InvalidRequest;
      expect(wrong).toBeInstanceOf(InvalidRequest);
      expect(wrong.errors).toEqual({ current_password: ['The password is not correct.'] });
      expect(kit.events.at(-1)).toMatchObject({
        type: 'sign_in.failure',
        userId: user.id,
        reason: 'bad_password',
      });
      const weak = (await refusal(
        changePassword(
          kit.ctx,
          claims,
          { currentPassword: 'careful-secret-pass', newPassword: 'careful1' },
          client,
        ),
      )) as InvalidRequest;
      expect(weak.errors?.new_password).toEqual(['This password is too similar to your username.']);
      await signIn(kit.ctx, { username: 'careful', password: 'careful-secret-pass' }, client);
    });

    it('counts wrong current passwords as failed sign-ins: the sixth is throttled, and so is sign-in', async () => {
      const { claims } = await signedIn('guessed');
      for (let i = 0; i < 5; i++)
        expect(
          await refusal(
            changePassword(
              kit.ctx,
              claims,
              { currentPassword: `guess-${i}-xx`, newPassword: 'a-fresh-secret-42' },
              client,
            ),
          ),
        ).toBeInstanceOf(InvalidRequest);
      const held = await refusal(
        changePassword(
          kit.ctx,
          claims,
          { currentPassword: 'guessed-secret-pass', newPassword: 'a-fresh-secret-42' },
          client,
        ),
      );
      expect(held).toBeInstanceOf(Throttled);
      expect((held as Throttled).headers['Retry-After']).toMatch(/^\d+$/);
      expect(
        await refusal(
          signIn(kit.ctx, { username: 'guessed', password: 'guessed-secret-pass' }, client),
        ),
      ).toBeInstanceOf(Throttled);
    });

    it('refuses a revoked session (401), though its access token has not expired', async () => {
      const { claims, issued } = await signedIn('revoked-one');
      await kit.ctx.db
        .update(sessions)
        .set({ revokedAt: new Date() })
        .where(eq(sessions.sid, issued.sid));
      expect(
        await refusal(
          changePassword(
            kit.ctx,
            claims,
            { currentPassword: 'revoked-one-secret-pass', newPassword: 'a-fresh-secret-42' },
            client,
          ),
        ),
      ).toBeInstanceOf(TokenNotValid);
    });
  });

  describe('e-mail change', () => {
    it('mails a link to the new address and a notice to the old one, and changes nothing until the link is used', async () => {
      const { user, claims } = await signedIn('mover');
      const outbox = await requestEmailChange(
        kit.ctx,
        claims,
        { newEmail: 'Mover.New@Example.org', password: 'mover-secret-pass' },
        client,
      );
      const [confirm, notice] = [
        await composed(kit.ctx, outbox[0]),
        await composed(kit.ctx, outbox[1]),
      ];
      expect(outbox.map((m) => m.kind)).toEqual(['email_change_confirm', 'email_change_notice']);
      expect([confirm.to, notice.to]).toEqual(['Mover.New@Example.org', 'mover@example.com']);
      expect(notice.text).toContain('Mover.New@Example.org');
      expect(notice.text.split('\n')).toContain(`${APP_URL}/forgot-password`);
      const [unchanged] = await kit.ctx.db.select().from(users).where(eq(users.id, user.id));
      expect(unchanged).toMatchObject({ email: 'mover@example.com', emailVerified: true });
      const token = tokenIn(confirm, '/verify-email');
      const issued = signedInByLink(await verifyEmail(kit.ctx, token, client));
      expect(issued.userId).toBe(user.id);
      const [changed] = await kit.ctx.db.select().from(users).where(eq(users.id, user.id));
      expect(changed).toMatchObject({
        email: 'Mover.New@Example.org',
        emailCanonical: 'mover.new@example.org',
        emailVerified: true,
      });
      expect(kit.events.map((e) => e.type)).toEqual(
        expect.arrayContaining(['email.change_requested', 'email.changed']),
      );
    });

    it('needs the password, or a sign-in within reauthMaxAge', async () => {
      const t0 = new Date();
      const { claims } = await signedIn('recent', t0);
      const wrong = (await refusal(
        requestEmailChange(
          kit.ctx,
          claims,
          { newEmail: 'recent2@example.com', password: 'wrong-wrong' },
          client,
          t0,
        ),
      )) as InvalidRequest;
      expect(wrong.errors).toEqual({ password: ['The password is not correct.'] });
      // Within five minutes of the sign-in, no password is needed...
      expect(
        await requestEmailChange(
          kit.ctx,
          claims,
          { newEmail: 'recent2@example.com', password: undefined },
          client,
          later(t0, 300),
        ),
      ).toHaveLength(2);
      // ...after them it is.
      const stale = (await refusal(
        requestEmailChange(
          kit.ctx,
          claims,
          { newEmail: 'recent3@example.com', password: undefined },
          client,
          later(t0, 301),
        ),
      )) as InvalidRequest;
      expect(stale.errors).toEqual({ password: ['Enter your password to confirm.'] });
    });

    it('answers a taken address as a free one: its owner hears of it, and no link is made', async () => {
      await createUser(kit.ctx.db, {
        username: 'holder',
        password: 'holder-secret-pass',
        email: 'held@example.com',
      });
      const { user, claims } = await signedIn('grabber');
      const outbox = await requestEmailChange(
        kit.ctx,
        claims,
        { newEmail: 'HELD@example.com', password: 'grabber-secret-pass' },
        client,
      );
      const messages = [await composed(kit.ctx, outbox[0]), await composed(kit.ctx, outbox[1])];
      expect(outbox.map((m) => m.kind)).toEqual(['email_change_taken', 'email_change_notice']);
      expect(messages.map((m) => m.to)).toEqual(['HELD@example.com', 'grabber@example.com']);
      expect(messages[0]!.text).not.toContain('#token=');
      const tokens = await kit.ctx.db
        .select()
        .from(mailTokens)
        .where(eq(mailTokens.userId, user.id));
      expect(tokens).toEqual([]);
    });

    it('re-checks the address when the link is used: taken meanwhile, nothing changes', async () => {
      const { user, claims } = await signedIn('late');
      const outbox = await requestEmailChange(
        kit.ctx,
        claims,
        { newEmail: 'contested@example.com', password: 'late-secret-pass' },
        client,
      );
      const token = tokenIn(await composed(kit.ctx, outbox[0]), '/verify-email');
      await createUser(kit.ctx.db, {
        username: 'quicker',
        password: 'quicker-secret-pass',
        email: 'Contested@example.com',
      });
      const error = await refusal(verifyEmail(kit.ctx, token, client));
      expect(error).toBeInstanceOf(InvalidToken);
      expect(error.message).toMatch(/another account/);
      const [row] = await kit.ctx.db.select().from(users).where(eq(users.id, user.id));
      expect(row!.email).toBe('late@example.com');
    });

    it('refuses the address the user has already', async () => {
      const { claims } = await signedIn('samesame');
      const error = (await refusal(
        requestEmailChange(
          kit.ctx,
          claims,
          { newEmail: 'SameSame@example.com', password: 'samesame-secret-pass' },
          client,
        ),
      )) as InvalidRequest;
      expect(error.errors).toEqual({ new_email: ['This is already your e-mail address.'] });
    });
  });

  describe('the account and its deletion', () => {
    it('reads the account as the contract shapes it', async () => {
      const { user, claims } = await signedIn('reader');
      await linkIdentity(kit.ctx.db, {
        provider: 'https://idp.example.com',
        subject: 'sub-1',
        userId: user.id,
        email: 'reader@idp.example.com',
        emailVerified: true,
        now: new Date(),
      });
      const account = await readAccount(kit.ctx, claims);
      expect(account).toEqual({
        user: {
          id: user.id,
          username: 'reader',
          email: 'reader@example.com',
          first_name: '',
          last_name: '',
        },
        email_verified: true,
        has_password: true,
        identities: [{ provider: 'https://idp.example.com', email: 'reader@idp.example.com' }],
        mfa: { totp: false, passkeys: 0, recovery_codes_left: 0 },
      });
    });

    it('needs the password: a wrong one deletes nothing', async () => {
      const t0 = new Date();
      const { user, claims } = await signedIn('keeper', t0);
      const error = (await refusal(
        deleteAccount(kit.ctx, claims, { password: 'not-it-at-all' }, client, t0),
      )) as InvalidRequest;
      expect(error.errors).toEqual({ password: ['The password is not correct.'] });
      const stale = (await refusal(
        deleteAccount(kit.ctx, claims, { password: undefined }, client, later(t0, 301)),
      )) as InvalidRequest;
      expect(stale.errors).toEqual({ password: ['Enter your password to confirm.'] });
      expect(await kit.ctx.db.select().from(users).where(eq(users.id, user.id))).toHaveLength(1);
    });

    it('deletes the user, identities, sessions, tokens, roles and mailed links together', async () => {
      const { user, claims, issued } = await signedIn('leaver');
      await linkIdentity(kit.ctx.db, {
        provider: 'https://idp.example.com',
        subject: 'sub-leaver',
        userId: user.id,
        email: '',
        emailVerified: false,
        now: new Date(),
      });
      await grantRole(kit.ctx.db, 'leaver', 'editor');
      const outbox = await requestEmailChange(
        kit.ctx,
        claims,
        { newEmail: 'leaver2@example.com', password: 'leaver-secret-pass' },
        client,
      );
      await composed(kit.ctx, outbox[0]); // issues the change link's token
      expect(
        await kit.ctx.db.select().from(mailTokens).where(eq(mailTokens.userId, user.id)),
      ).toHaveLength(1);
      await deleteAccount(kit.ctx, claims, { password: 'leaver-secret-pass' }, client);
      const db = kit.ctx.db;
      expect(await db.select().from(users).where(eq(users.id, user.id))).toEqual([]);
      expect(await db.select().from(identities).where(eq(identities.userId, user.id))).toEqual([]);
      expect(await db.select().from(sessions).where(eq(sessions.userId, user.id))).toEqual([]);
      expect(
        await db.select().from(outstandingTokens).where(eq(outstandingTokens.userId, user.id)),
      ).toEqual([]);
      expect(await db.select().from(userGroups).where(eq(userGroups.userId, user.id))).toEqual([]);
      expect(await db.select().from(mailTokens).where(eq(mailTokens.userId, user.id))).toEqual([]);
      expect(
        await findLiveSession(db, { sid: issued.sid, userId: user.id, now: new Date() }),
      ).toBeNull();
      expect(kit.events.at(-1)).toMatchObject({ type: 'account.deleted', userId: user.id });
    });

    it('deletes nothing at all when a step fails (a row of the app still refers to the user)', async () => {
      const { user, claims, issued } = await signedIn('anchored');
      await linkIdentity(kit.ctx.db, {
        provider: 'https://idp.example.com',
        subject: 'sub-anchored',
        userId: user.id,
        email: '',
        emailVerified: false,
        now: new Date(),
      });
      // The app's own table, without ON DELETE CASCADE: the last step (the user row) fails.
      await kit.ctx.db.execute(
        sql`create table app_notes (id serial primary key, user_id integer not null references users(id))`,
      );
      await kit.ctx.db.execute(sql`insert into app_notes (user_id) values (${user.id})`);
      const error = await refusal(
        deleteAccount(kit.ctx, claims, { password: 'anchored-secret-pass' }, client),
      );
      expect(error).toBeInstanceOf(InvalidRequest);
      expect(error.message).toMatch(/Nothing was deleted/);
      const db = kit.ctx.db;
      expect(await db.select().from(users).where(eq(users.id, user.id))).toHaveLength(1);
      expect(await db.select().from(identities).where(eq(identities.userId, user.id))).toHaveLength(
        1,
      );
      expect(
        await findLiveSession(db, { sid: issued.sid, userId: user.id, now: new Date() }),
      ).not.toBeNull();
      expect(
        await db.select().from(outstandingTokens).where(eq(outstandingTokens.userId, user.id)),
      ).toHaveLength(1);
      await kit.ctx.db.execute(sql`drop table app_notes`);
    });

    it('lets a user without a password delete within reauthMaxAge of signing in, not after', async () => {
      const t0 = new Date();
      const user = await createUser(kit.ctx.db, { username: 'fed-only', password: null });
      const stale = await openSession(kit.ctx, {
        user,
        client,
        amr: ['fed'],
        event: 'social_exchange.success',
        now: t0,
      });
      const error = (await refusal(
        deleteAccount(kit.ctx, claimsOf(stale), { password: undefined }, client, later(t0, 301)),
      )) as InvalidRequest;
      expect(error.errors?.password?.[0]).toMatch(/Sign in again/);
      const withPassword = (await refusal(
        deleteAccount(kit.ctx, claimsOf(stale), { password: 'anything-at-all' }, client, t0),
      )) as InvalidRequest;
      expect(withPassword.errors?.password?.[0]).toMatch(/no password/);
      const fresh = await openSession(kit.ctx, {
        user,
        client,
        amr: ['fed'],
        event: 'social_exchange.success',
        now: later(t0, 400),
      });
      await deleteAccount(
        kit.ctx,
        claimsOf(fresh),
        { password: undefined },
        client,
        later(t0, 600),
      );
      expect(await kit.ctx.db.select().from(users).where(eq(users.id, user.id))).toEqual([]);
    });
  });
});
