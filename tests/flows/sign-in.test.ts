import { eq } from 'drizzle-orm';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationFailed } from '@/auth/errors';
import { signIn } from '@/auth/services/sign-in';
import { updateUser } from '@/db/queries/users';
import { sessions, users } from '@/db/schema';
import { later, startTestKit, type TestKit } from '../support/auth-context';

describe('sign-in at a frozen clock', () => {
  let kit: TestKit;
  beforeAll(async () => {
    kit = await startTestKit();
    for (const name of ['ana', 'bo', 'cleo', 'dan']) await kit.user(name);
    const inactive = await kit.user('eve');
    await updateUser(kit.ctx.db, inactive.id, { isActive: false });
  });
  afterAll(() => kit.close());

  const attempt = (username: string, password: string, now = new Date()) =>
    signIn(kit.ctx, { username, password }, kit.client, now);
  const refusal = (username: string, password: string) =>
    attempt(username, password).catch((error: unknown) => error);

  it('opens a session: its row, last_login at `now`, the device entry and the success event', async () => {
    const t0 = new Date(Math.floor(Date.now() / 1000) * 1000);
    const signedIn = await attempt('ana', 'ana-password-1', t0);
    const [session] = await kit.ctx.db
      .select()
      .from(sessions)
      .where(eq(sessions.sid, signedIn.sid));
    expect(session).toMatchObject({
      userId: signedIn.userId,
      createdAt: t0,
      lastUsedAt: t0,
      revokedAt: null,
      userAgent: kit.client.userAgent,
      ipAddress: kit.client.address,
    });
    const [row] = await kit.ctx.db.select().from(users).where(eq(users.id, signedIn.userId));
    expect(row!.lastLogin).toEqual(t0);
    expect(signedIn.device).toMatchObject({
      userId: signedIn.userId,
      issuedAt: t0.getTime() / 1000,
    });
    expect(decodeJwt(signedIn.accessToken)).toMatchObject({ sid: signedIn.sid, amr: ['pwd'] });
    expect(signedIn.expires).toBe(decodeJwt(signedIn.accessToken).exp);
    expect(kit.events.at(-1)).toMatchObject({
      type: 'sign_in.success',
      userId: signedIn.userId,
      sid: signedIn.sid,
      address: kit.client.address,
    });
  });

  it('gives every sign-in its own session id', async () => {
    const first = await attempt('bo', 'bo-password-1');
    const second = await attempt('bo', 'bo-password-1');
    expect(second.sid).not.toBe(first.sid);
    expect(second.userId).toBe(first.userId);
  });

  it('refuses an unknown user, a wrong password and an inactive user alike, each reported with its reason', async () => {
    const refusals = [
      await refusal('no-such-user', 'cleo-password-1'),
      await refusal('cleo', 'not-the-password'),
      await refusal('eve', 'eve-password-1'),
    ];
    for (const error of refusals) {
      expect(error).toBeInstanceOf(AuthenticationFailed);
      expect((error as AuthenticationFailed).message).toBe(
        'No active account found with the given credentials.',
      );
    }
    expect(kit.events.slice(-3)).toMatchObject([
      { type: 'sign_in.failure', reason: 'unknown_user', userId: null, username: 'no-such-user' },
      { type: 'sign_in.failure', reason: 'bad_password', username: 'cleo', sid: null },
      { type: 'sign_in.failure', reason: 'inactive', username: 'eve', sid: null },
    ]);
    // No event ever carries the password.
    expect(JSON.stringify(kit.events)).not.toContain('password-1');
  });

  it('opens no session on a failed sign-in', async () => {
    const before = await kit.ctx.db.select().from(sessions);
    await refusal('dan', 'not-the-password');
    expect(await kit.ctx.db.select().from(sessions)).toHaveLength(before.length);
  });

  it('signs in again once the user is active again', async () => {
    const eve = (await kit.ctx.db.select().from(users).where(eq(users.username, 'eve')))[0]!;
    await updateUser(kit.ctx.db, eve.id, { isActive: true });
    expect((await attempt('eve', 'eve-password-1', later(new Date(), 1))).userId).toBe(eve.id);
  });
});
