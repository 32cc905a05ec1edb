import { decodeJwt } from 'jose';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import authConfig from '@/auth.config';
import { logoff, logoffAll, revokeOwnSession } from '@/auth/sessions/end';
import { refreshTokens } from '@/auth/sessions/rotate';
import { grantRole, revokeRole, setStaff } from '@/auth/services/roles';
import { signIn } from '@/auth/services/sign-in';
import { checkIdentity, loadSessionUser } from '@/auth/services/current-user';
import { deactivateUser, setUserPassword } from '@/auth/services/users';
import type { IssuedTokens } from '@/auth/sessions/issue';
import { verifySessionToken } from '@/auth/tokens/verify';
import { later, startTestKit, type TestKit } from '../support/auth-context';

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

describe('server-side identity at a frozen clock (the template config)', () => {
  let kit: TestKit;
  beforeAll(async () => {
    kit = await startTestKit(authConfig);
    for (const name of ['nina', 'omar', 'pia', 'quinn', 'rhea', 'sam', 'tess', 'ugo', 'vera'])
      await kit.user(name);
  });
  afterAll(() => kit.close());

  const start = (username: string, now: Date) =>
    signIn(kit.ctx, { username, password: `${username}-password-1` }, kit.client, now);
  const access = (issued: IssuedTokens) => decodeJwt(issued.accessToken);
  /** What getCurrentUser() sees for a browser holding this session cookie, at `now`. */
  const userOf = async (issued: IssuedTokens, now: Date) => {
    const cookie = await verifySessionToken(kit.ctx.keyring, issued.sessionToken);
    if (!cookie) throw new Error('the session cookie does not verify');
    return loadSessionUser(kit.ctx, cookie, now);
  };

  describe('sid, auth_time and amr in access tokens', () => {
    it('a password sign-in: sid of the session, auth_time of the sign-in, amr ["pwd"]', async () => {
      const t0 = new Date();
      const issued = await start('nina', t0);
      expect(access(issued)).toMatchObject({
        sid: issued.sid,
        auth_time: seconds(t0),
        amr: ['pwd'],
        iat: seconds(t0),
      });
    });

    it('a refresh keeps the auth_time and amr of the sign-in that started the session', async () => {
      const t0 = new Date();
      const first = await start('nina', t0);
      const second = await refreshTokens(kit.ctx, first.refreshToken, kit.client, later(t0, 600));
      const third = await refreshTokens(kit.ctx, second.refreshToken, kit.client, later(t0, 4000));
      for (const issued of [second, third])
        expect(access(issued)).toMatchObject({
          sid: first.sid,
          auth_time: seconds(t0),
          amr: ['pwd'],
        });
      expect(access(third).iat).toBe(seconds(later(t0, 4000)));
    });

    it('the grace-window answer and a session without rotation keep them too', async () => {
      const t0 = new Date();
      const first = await start('nina', t0);
      await refreshTokens(kit.ctx, first.refreshToken, kit.client, later(t0, 60));
      const retried = await refreshTokens(kit.ctx, first.refreshToken, kit.client, later(t0, 62));
      expect(access(retried)).toMatchObject({ auth_time: seconds(t0), amr: ['pwd'] });

      const fixed = await startTestKit({ ...authConfig, rotateRefreshTokens: false });
      try {
        await fixed.user('wim');
        const signedIn = await signIn(
          fixed.ctx,
          { username: 'wim', password: 'wim-password-1' },
          fixed.client,
          t0,
        );
        const again = await refreshTokens(
          fixed.ctx,
          signedIn.refreshToken,
          fixed.client,
          later(t0, 900),
        );
        expect(access(again)).toMatchObject({ auth_time: seconds(t0), amr: ['pwd'] });
      } finally {
        await fixed.close();
      }
    });
  });

  describe('the session lookup (getCurrentUser, requireUser, withAuthAction)', () => {
    it('a live session gives the serialized user and the claims, typed from the template', async () => {
      const t0 = new Date();
      const issued = await start('omar', t0);
      const user = await userOf(issued, later(t0, 5));
      expect(user).toMatchObject({
        id: issued.userId,
        username: 'omar',
        first_name: '',
        last_name: '',
        claims: {
          user_id: issued.userId,
          sub: String(issued.userId),
          sid: issued.sid,
          auth_time: seconds(t0),
          amr: ['pwd'],
          username: 'omar',
          is_staff: false,
          roles: [],
        },
      });
      expect(JSON.stringify(user)).not.toContain('argon2');
    });

    it.each([
      ['log-off', (issued: IssuedTokens) => logoff(kit.ctx, issued.refreshToken, kit.client)],
      [
        'log-off everywhere',
        (issued: IssuedTokens) => logoffAll(kit.ctx, issued.userId, kit.client),
      ],
      [
        'a revoked session',
        (issued: IssuedTokens) => revokeOwnSession(kit.ctx, issued.userId, issued.sid, kit.client),
      ],
      ['a new password', () => setUserPassword(kit.ctx.db, 'pia', 'pia-new-password-2')],
      ['deactivation', () => deactivateUser(kit.ctx.db, 'pia')],
      [
        'deleting the user',
        (issued: IssuedTokens) =>
          kit.ctx.db.execute(sql`delete from users where id = ${issued.userId}`),
      ],
    ])('after %s the very next lookup is signed out', async (kind, revoke) => {
      // Each case signs in fresh: pia's password changes, deactivation and deletion come last.
      const username = kind === 'deleting the user' ? 'quinn' : 'pia';
      const t0 = new Date();
      const issued = await signIn(
        kit.ctx,
        {
          username,
          password: kind === 'deactivation' ? 'pia-new-password-2' : `${username}-password-1`,
        },
        kit.client,
        t0,
      );
      expect(await userOf(issued, later(t0, 1))).not.toBeNull();
      await revoke(issued);
      expect(await userOf(issued, later(t0, 2))).toBeNull();
    });

    it('a session past its absolute end is signed out, though its cookie is still signed', async () => {
      const t0 = new Date();
      const issued = await start('rhea', t0);
      const end = later(t0, kit.ctx.config.sessionMaxLifetimeSeconds);
      expect(await userOf(issued, later(end, -1))).not.toBeNull();
      expect(await userOf(issued, end)).toBeNull();
    });

    it("another user's cookie with a valid sid of someone else is nobody", async () => {
      const t0 = new Date();
      const rhea = await start('rhea', t0);
      const sam = await start('sam', t0);
      expect(
        await loadSessionUser(kit.ctx, { sub: String(sam.userId), sid: rhea.sid }, t0),
      ).toBeNull();
      expect(
        await loadSessionUser(kit.ctx, { sub: String(sam.userId), sid: 'not-a-uuid' }, t0),
      ).toBeNull();
    });
  });

  describe('checks: role, rule and step-up', () => {
    it('maxAge counts from the sign-in, and a refresh does not make the session fresher', async () => {
      const t0 = new Date();
      const issued = await start('sam', t0);
      await refreshTokens(kit.ctx, issued.refreshToken, kit.client, later(t0, 200));
      const user = await userOf(issued, later(t0, 250));
      if (!user) throw new Error('signed out');
      expect(checkIdentity(user, { maxAge: 300 }, later(t0, 300))).toBe('ok');
      expect(checkIdentity(user, { maxAge: '5m' }, later(t0, 301))).toBe('step_up_required');
      // Section 9 adds second factors; a password session is not one.
      expect(checkIdentity(user, { mfa: true }, later(t0, 1))).toBe('step_up_required');
    });

    it('roles come from the groups, granted and revoked with the role commands, seen at once', async () => {
      const t0 = new Date();
      const issued = await start('tess', t0);
      const user = async () => (await userOf(issued, later(t0, 1)))!;
      expect(checkIdentity(await user(), { role: 'editor' }, t0)).toBe('forbidden');
      expect(await grantRole(kit.ctx.db, 'tess', 'editor')).toBe(true);
      expect(await grantRole(kit.ctx.db, 'tess', 'editor')).toBe(false);
      expect((await user()).claims.roles).toEqual(['editor']);
      expect(checkIdentity(await user(), { role: 'editor' }, t0)).toBe('ok');
      await setStaff(kit.ctx.db, 'tess', true);
      expect((await user()).claims).toMatchObject({ is_staff: true, roles: ['staff', 'editor'] });
      expect(checkIdentity(await user(), { role: 'staff' }, t0)).toBe('ok');
      expect(await revokeRole(kit.ctx.db, 'tess', 'editor')).toBe(true);
      await setStaff(kit.ctx.db, 'tess', false);
      expect((await user()).claims).toMatchObject({ is_staff: false, roles: [] });
      // The next access token says so too.
      const next = await refreshTokens(kit.ctx, issued.refreshToken, kit.client, later(t0, 10));
      expect(access(next)).toMatchObject({ is_staff: false, roles: [] });
    });

    it('a rule on the user', async () => {
      const t0 = new Date();
      const user = (await userOf(await start('ugo', t0), t0))!;
      expect(checkIdentity(user, { allow: (u) => u.username === 'ugo' }, t0)).toBe('ok');
      expect(checkIdentity(user, { allow: () => false }, t0)).toBe('forbidden');
    });

    it('a group that goes away takes its role along (cascade)', async () => {
      const t0 = new Date();
      const issued = await start('vera', t0);
      await grantRole(kit.ctx.db, 'vera', 'auditor');
      expect((await userOf(issued, t0))!.claims.roles).toEqual(['auditor']);
      await kit.ctx.db.execute(sql`delete from groups where name = 'auditor'`);
      expect((await userOf(issued, t0))!.claims.roles).toEqual([]);
    });
  });
});
