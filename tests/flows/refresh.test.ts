import { eq, sql } from 'drizzle-orm';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenNotValid } from '@/auth/errors';
import type { IssuedTokens } from '@/auth/sessions/issue';
import { refreshTokens } from '@/auth/sessions/rotate';
import { signIn } from '@/auth/services/sign-in';
import { deleteUser } from '@/auth/services/users';
import { updateUser } from '@/db/queries/users';
import { sessions } from '@/db/schema';
import { later, startTestKit, type TestKit } from '../support/auth-context';

/** The refresh token's claims (the flows read them as the HTTP suites read the cookie's JWT). */
const claims = (issued: IssuedTokens) =>
  decodeJwt(issued.refreshToken) as { jti: string; sid: string; exp: number; iat: number };

/** A kit whose users sign in and refresh at the caller's frozen clock. */
function flowsOn(kit: () => TestKit) {
  return {
    start: (username: string, now: Date) =>
      signIn(kit().ctx, { username, password: `${username}-password-1` }, kit().client, now),
    refresh: (issued: IssuedTokens, now: Date) =>
      refreshTokens(kit().ctx, issued.refreshToken, kit().client, now),
    /** The refresh's refusal (a TokenNotValid; the HTTP suites check the cleared cookies). */
    refused: async (issued: IssuedTokens, now: Date) => {
      const error = await refreshTokens(kit().ctx, issued.refreshToken, kit().client, now).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TokenNotValid);
      return error as TokenNotValid;
    },
    /** The events about one session, by type and reason. */
    eventsOf: (sid: string) =>
      kit()
        .events.filter((e) => e.sid === sid)
        .map((e) => (e.reason ? `${e.type}:${e.reason}` : e.type)),
    /**
     * Moves the session's rotations `seconds` into the past. The grace window is judged by the
     * database's clock (the one that stamped `rotated_at`), so this is how a rotation grows old.
     */
    ageRotations: (sid: string, seconds: number) =>
      kit().ctx.db.execute(
        sql`update outstanding_tokens set rotated_at = rotated_at - make_interval(secs => ${seconds}) where sid = ${sid} and rotated_at is not null`,
      ),
    sessionRow: async (sid: string) =>
      (await kit().ctx.db.select().from(sessions).where(eq(sessions.sid, sid)))[0]!,
    blacklistedOf: async (sid: string) => {
      const rows = await kit().ctx.db.execute(
        sql`select count(*)::int as n from blacklisted_tokens b join outstanding_tokens o on o.id = b.token_id where o.sid = ${sid}`,
      );
      return (rows as unknown as { rows: { n: number }[] }).rows[0]!.n;
    },
  };
}

describe('refresh rotation, reuse and the grace window at a frozen clock', () => {
  let kit: TestKit;
  const flows = flowsOn(() => kit);
  const names = ['ada', 'ben', 'cy', 'dee', 'eli', 'fay', 'gus', 'hal', 'ivy', 'jo', 'kai', 'lu'];
  beforeAll(async () => {
    // The default grace window: 10 s.
    kit = await startTestKit();
    for (const name of names) await kit.user(name);
  });
  afterAll(() => kit.close());

  it('has the default 10 s grace window', () => {
    expect(kit.ctx.config.reuseGraceWindowSeconds).toBe(10);
  });

  it('rotates: a new refresh token (new jti, same sid), a new access token, the same CSRF token', async () => {
    const t0 = new Date();
    const first = await flows.start('ada', t0);
    const second = await flows.refresh(first, later(t0, 60));
    expect(claims(second).jti).not.toBe(claims(first).jti);
    expect(claims(second).sid).toBe(claims(first).sid);
    expect(decodeJwt(second.refreshToken).token_type).toBe('refresh');
    expect(decodeJwt(second.accessToken).jti).not.toBe(decodeJwt(first.accessToken).jti);
    expect(second.csrfToken).toBe(first.csrfToken);
    expect(second.sid).toBe(first.sid);
    // Blacklisted after rotation (the default), and the session's last use moved.
    expect(await flows.blacklistedOf(first.sid)).toBe(1);
    expect((await flows.sessionRow(first.sid)).lastUsedAt).toEqual(later(t0, 60));
    expect(flows.eventsOf(first.sid)).toEqual(['sign_in.success', 'refresh.success']);
  });

  it('answers the immediate predecessor within the grace window with the same successor (same jti and exp)', async () => {
    const t0 = new Date();
    const first = await flows.start('ben', t0);
    const tab1 = await flows.refresh(first, later(t0, 1));
    const tab2 = await flows.refresh(first, later(t0, 2));
    expect({ jti: claims(tab2).jti, exp: claims(tab2).exp, sid: claims(tab2).sid }).toEqual({
      jti: claims(tab1).jti,
      exp: claims(tab1).exp,
      sid: claims(tab1).sid,
    });
    expect(tab2.csrfToken).toBe(tab1.csrfToken);
    expect(flows.eventsOf(first.sid)).toEqual([
      'sign_in.success',
      'refresh.success',
      'refresh.success:grace_window',
    ]);
  });

  it('answers within the window after 9 s on the database clock', async () => {
    const t0 = new Date();
    const first = await flows.start('cy', t0);
    const next = await flows.refresh(first, t0);
    await flows.ageRotations(first.sid, 9);
    expect(claims(await flows.refresh(first, t0)).jti).toBe(claims(next).jti);
  });

  it('keeps the shared successor live after a grace-window answer (no second branch)', async () => {
    const t0 = new Date();
    const first = await flows.start('dee', t0);
    const tab1 = await flows.refresh(first, t0);
    const tab2 = await flows.refresh(first, t0);
    // Each tab now holds the shared successor; the second tab rotates it, the first gets the same.
    const tab2Next = await flows.refresh(tab2, t0);
    const tab1Next = await flows.refresh(tab1, t0);
    expect(claims(tab1Next).jti).toBe(claims(tab2Next).jti);
    expect(await flows.refresh(tab1Next, t0)).toMatchObject({ sid: first.sid });
    expect((await flows.sessionRow(first.sid)).revokedAt).toBeNull();
  });

  it('revokes the whole session when an older ancestor is presented, even within the grace window', async () => {
    const t0 = new Date();
    const first = await flows.start('eli', t0);
    const second = await flows.refresh(first, t0);
    const third = await flows.refresh(second, t0);
    const error = await flows.refused(first, t0);
    expect(error.message).toBe('Token has been reused; the session is revoked.');
    expect((await flows.sessionRow(first.sid)).revokedAt).not.toBeNull();
    await flows.refused(third, t0);
    expect(flows.eventsOf(first.sid)).toEqual([
      'sign_in.success',
      'refresh.success',
      'refresh.success',
      'refresh.reuse_detected:reused',
      'refresh.failure:session_revoked',
    ]);
  });

  it('revokes an older ancestor days later too (at any time)', async () => {
    const t0 = new Date();
    const first = await flows.start('fay', t0);
    const second = await flows.refresh(first, later(t0, 1));
    const third = await flows.refresh(second, later(t0, 2));
    await flows.ageRotations(first.sid, 86_400);
    await flows.refused(first, later(t0, 3));
    await flows.refused(third, later(t0, 4));
    expect(flows.eventsOf(first.sid).at(-2)).toBe('refresh.reuse_detected:reused');
  });

  it('refuses the rotated token once the grace window has passed (11 s), revoking the session: the newest token fails too', async () => {
    const t0 = new Date();
    const first = await flows.start('gus', t0);
    const newest = await flows.refresh(first, t0);
    await flows.ageRotations(first.sid, 11);
    const error = await flows.refused(first, later(t0, 11));
    expect(error.message).toBe('Token has been reused; the session is revoked.');
    expect((await flows.sessionRow(first.sid)).revokedAt).not.toBeNull();
    await flows.refused(newest, later(t0, 12));
    expect(flows.eventsOf(first.sid)).toEqual([
      'sign_in.success',
      'refresh.success',
      'refresh.reuse_detected:reused',
      'refresh.failure:session_revoked',
    ]);
    expect(
      kit.events.find((e) => e.type === 'refresh.reuse_detected' && e.sid === first.sid),
    ).toMatchObject({
      userId: first.userId,
      sid: first.sid,
      address: kit.client.address,
    });
  });

  it('keeps the newest token working when nobody replays an old one (the wait alone revokes nothing)', async () => {
    const t0 = new Date();
    const first = await flows.start('hal', t0);
    const newest = await flows.refresh(first, t0);
    await flows.ageRotations(first.sid, 11);
    const next = await flows.refresh(newest, later(t0, 11));
    expect(claims(next).jti).not.toBe(claims(newest).jti);
    expect(flows.eventsOf(first.sid)).toEqual([
      'sign_in.success',
      'refresh.success',
      'refresh.success',
    ]);
  });

  it('refuses a user deactivated in the database (without revoking anything) as inactive_user', async () => {
    const t0 = new Date();
    const first = await flows.start('ivy', t0);
    await updateUser(kit.ctx.db, first.userId, { isActive: false });
    await flows.refused(first, later(t0, 1));
    expect(flows.eventsOf(first.sid).at(-1)).toBe('refresh.failure:inactive_user');
    await updateUser(kit.ctx.db, first.userId, { isActive: true });
  });

  it('refuses the refresh token of a deleted user (its rows are gone) as unknown_token', async () => {
    const t0 = new Date();
    const first = await flows.start('jo', t0);
    await deleteUser(kit.ctx.db, 'jo');
    await flows.refused(first, later(t0, 1));
    expect(kit.events.at(-1)).toMatchObject({
      type: 'refresh.failure',
      reason: 'unknown_token',
      sid: null,
    });
  });

  it('refuses a refresh JWT whose payload was altered (the signature no longer matches) as invalid', async () => {
    const t0 = new Date();
    const first = await flows.start('kai', t0);
    const [header, , signature] = first.refreshToken.split('.');
    const payload = Buffer.from(
      JSON.stringify({ ...claims(first), exp: claims(first).exp + 86_400 }),
    ).toString('base64url');
    await flows.refused({ ...first, refreshToken: `${header}.${payload}.${signature}` }, t0);
    expect(kit.events.at(-1)).toMatchObject({ type: 'refresh.failure', reason: 'invalid' });
    expect((await flows.sessionRow(first.sid)).revokedAt).toBeNull();
  });

  it('refuses an access token where a refresh token is expected', async () => {
    const t0 = new Date();
    const first = await flows.start('lu', t0);
    await flows.refused({ ...first, refreshToken: first.accessToken }, t0);
    expect(kit.events.at(-1)).toMatchObject({ type: 'refresh.failure', reason: 'invalid' });
  });
});

describe('refresh with rotation off at a frozen clock', () => {
  let kit: TestKit;
  const flows = flowsOn(() => kit);
  beforeAll(async () => {
    kit = await startTestKit({ rotateRefreshTokens: false });
    await kit.user('mo');
  });
  afterAll(() => kit.close());

  it('keeps the same refresh token in use (same jti and exp) until it expires, blacklisting nothing', async () => {
    const t0 = new Date();
    const first = await flows.start('mo', t0);
    const second = await flows.refresh(first, later(t0, 60));
    const third = await flows.refresh(first, later(t0, 120));
    expect(claims(second)).toMatchObject({ jti: claims(first).jti, exp: claims(first).exp });
    expect(claims(third)).toMatchObject({ jti: claims(first).jti, exp: claims(first).exp });
    // Each refresh signs a new access token at its own clock.
    expect(third.expires).toBe(
      Math.floor(later(t0, 120).getTime() / 1000) + kit.ctx.config.accessTokenLifetimeSeconds,
    );
    expect(await flows.blacklistedOf(first.sid)).toBe(0);
    expect(flows.eventsOf(first.sid)).toEqual([
      'sign_in.success',
      'refresh.success',
      'refresh.success',
    ]);
    const lifetime = kit.ctx.config.refreshTokenLifetimeSeconds;
    await flows.refused(first, later(t0, lifetime + kit.ctx.config.leewaySeconds + 1));
    expect(kit.events.at(-1)).toMatchObject({ type: 'refresh.failure', reason: 'expired' });
  });
});

describe('refresh with blacklistAfterRotation off at a frozen clock', () => {
  let kit: TestKit;
  const flows = flowsOn(() => kit);
  beforeAll(async () => {
    kit = await startTestKit({ blacklistAfterRotation: false });
    for (const name of ['nia', 'oz']) await kit.user(name);
  });
  afterAll(() => kit.close());

  it('rotates without blacklisting the predecessor, which still gets the same successor within the window', async () => {
    const t0 = new Date();
    const first = await flows.start('nia', t0);
    const second = await flows.refresh(first, t0);
    expect(await flows.blacklistedOf(first.sid)).toBe(0);
    expect(claims(await flows.refresh(first, t0)).jti).toBe(claims(second).jti);
  });

  it('still detects reuse after the grace window: rotation, not the blacklist, is the rule', async () => {
    const t0 = new Date();
    const first = await flows.start('oz', t0);
    const newest = await flows.refresh(first, t0);
    await flows.ageRotations(first.sid, 11);
    await flows.refused(first, later(t0, 11));
    await flows.refused(newest, later(t0, 11));
    expect(flows.eventsOf(first.sid)).toContain('refresh.reuse_detected:reused');
  });
});

describe('a short grace window from the environment', () => {
  let kit: TestKit;
  const flows = flowsOn(() => kit);
  beforeAll(async () => {
    kit = await startTestKit({}, { reuseGraceWindow: '1' });
    await kit.user('pat');
  });
  afterAll(() => kit.close());

  it('AUTH_REUSE_GRACE_WINDOW=1: a rotation 2 s old is past it', async () => {
    expect(kit.ctx.config.reuseGraceWindowSeconds).toBe(1);
    const t0 = new Date();
    const first = await flows.start('pat', t0);
    const newest = await flows.refresh(first, t0);
    await flows.ageRotations(first.sid, 2);
    await flows.refused(first, t0);
    await flows.refused(newest, t0);
  });
});
