import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenNotValid } from '@/auth/errors';
import { refreshTokens } from '@/auth/services/refresh';
import { signIn } from '@/auth/services/sign-in';
import { sessions } from '@/db/schema';
import { later, startTestKit, type TestKit } from '../support/auth-context';

const DAY = 86_400;

describe('refresh lifetimes at a frozen clock', () => {
  let kit: TestKit;
  beforeAll(async () => {
    // Refresh lifetime 1 day (the idle timeout), session at most 2 days from sign-in.
    kit = await startTestKit({ refreshTokenLifetime: DAY, sessionMaxLifetime: 2 * DAY });
    await kit.user('lena');
  });
  afterAll(() => kit.close());

  const start = (now: Date) =>
    signIn(kit.ctx, { username: 'lena', password: 'lena-password-1' }, kit.client, now);

  it('an expired refresh token is refused without revoking its session (expiry is not reuse)', async () => {
    const t0 = new Date();
    const first = await start(t0);
    expect(first.refreshExpires).toBe(Math.floor(later(t0, DAY).getTime() / 1000));
    await expect(
      refreshTokens(kit.ctx, first.refreshToken, kit.client, later(t0, DAY + 1)),
    ).rejects.toBeInstanceOf(TokenNotValid);
    const [session] = await kit.ctx.db.select().from(sessions).where(eq(sessions.sid, first.sid));
    expect(session?.revokedAt).toBeNull();
    // The JWT's own exp (judged at the caller's clock) refuses it before any database work.
    expect(kit.events.at(-1)).toMatchObject({
      type: 'refresh.failure',
      reason: 'expired',
    });
  });

  it('the refresh lifetime is an idle timeout: each rotation moves the expiry, never past the session end', async () => {
    const t0 = new Date();
    const first = await start(t0);
    const second = await refreshTokens(
      kit.ctx,
      first.refreshToken,
      kit.client,
      later(t0, 0.9 * DAY),
    );
    expect(second.refreshExpires).toBe(Math.floor(later(t0, 1.9 * DAY).getTime() / 1000));
    const third = await refreshTokens(
      kit.ctx,
      second.refreshToken,
      kit.client,
      later(t0, 1.8 * DAY),
    );
    // 1.8 days + 1 day would pass the 2-day session: the token ends with the session.
    expect(third.refreshExpires).toBe(Math.floor(later(t0, 2 * DAY).getTime() / 1000));
    expect(third.sid).toBe(first.sid);
    await expect(
      refreshTokens(kit.ctx, third.refreshToken, kit.client, later(t0, 2 * DAY + 1)),
    ).rejects.toBeInstanceOf(TokenNotValid);
  });

  it('the access token lives accessTokenLifetime from the refresh that issued it', async () => {
    const t0 = new Date();
    const first = await start(t0);
    expect(first.expires).toBe(
      Math.floor(t0.getTime() / 1000) + kit.ctx.config.accessTokenLifetimeSeconds,
    );
    const next = await refreshTokens(kit.ctx, first.refreshToken, kit.client, later(t0, 600));
    expect(next.expires).toBe(
      Math.floor(t0.getTime() / 1000) + 600 + kit.ctx.config.accessTokenLifetimeSeconds,
    );
  });
});
