import { eq, sql } from 'drizzle-orm';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenNotValid } from '@/auth/errors';
import { refreshTokens } from '@/auth/sessions/rotate';
import { signIn } from '@/auth/services/sign-in';
import { verifyToken } from '@/auth/services/verify';
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
    // Nothing of the session is blacklisted, and no reuse is reported.
    const rows = await kit.ctx.db.execute(
      sql`select count(*)::int as n from blacklisted_tokens b join outstanding_tokens o on o.id = b.token_id where o.sid = ${first.sid}`,
    );
    expect((rows as unknown as { rows: unknown[] }).rows).toEqual([{ n: 0 }]);
    expect(kit.events.filter((e) => e.sid === first.sid).map((e) => e.type)).toEqual([
      'sign_in.success',
    ]);
    expect(kit.events.some((e) => e.type === 'refresh.reuse_detected' && e.sid === first.sid)).toBe(
      false,
    );
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

describe('lifetimes from the environment at a frozen clock', () => {
  let kit: TestKit;
  beforeAll(async () => {
    // Access tokens live 1 s and refresh tokens 3 s (the HTTP suite's former "brief" server).
    kit = await startTestKit({}, { accessTokenLifetime: '1', refreshTokenLifetime: '3' });
    for (const name of ['mia', 'ned']) await kit.user(name);
  });
  afterAll(() => kit.close());

  const start = (username: string, now: Date) =>
    signIn(kit.ctx, { username, password: `${username}-password-1` }, kit.client, now);

  it('honours AUTH_ACCESS_TOKEN_LIFETIME and AUTH_REFRESH_TOKEN_LIFETIME', async () => {
    const first = await start('mia', new Date());
    const access = decodeJwt(first.accessToken);
    const refresh = decodeJwt(first.refreshToken);
    expect(access.exp! - access.iat!).toBe(1);
    expect(refresh.exp! - refresh.iat!).toBe(3);
    expect(first.expires).toBe(access.exp);
    expect(first.refreshExpires).toBe(refresh.exp);
  });

  it('/auth/verify accepts the access token until its exp and refuses it after (no leeway)', async () => {
    const t0 = new Date(Math.floor(Date.now() / 1000) * 1000);
    const first = await start('ned', t0);
    await expect(verifyToken(kit.ctx, first.accessToken, t0)).resolves.toBeUndefined();
    await expect(verifyToken(kit.ctx, first.accessToken, later(t0, 2))).rejects.toBeInstanceOf(
      TokenNotValid,
    );
    // The refresh token too, once its 3 s are over.
    await expect(verifyToken(kit.ctx, first.refreshToken, later(t0, 2))).resolves.toBeUndefined();
    await expect(verifyToken(kit.ctx, first.refreshToken, later(t0, 4))).rejects.toBeInstanceOf(
      TokenNotValid,
    );
  });
});

describe('AUTH_LEEWAY at a frozen clock', () => {
  let kit: TestKit;
  beforeAll(async () => {
    // Refresh tokens live 2 s, with a leeway of 5 s.
    kit = await startTestKit({}, { refreshTokenLifetime: '2', leeway: '5' });
    await kit.user('ora');
  });
  afterAll(() => kit.close());

  it('applies to refresh as it does to verify: a refresh token 1 s past its exp is accepted by both, not 6 s past it', async () => {
    const t0 = new Date(Math.floor(Date.now() / 1000) * 1000);
    const first = await signIn(
      kit.ctx,
      { username: 'ora', password: 'ora-password-1' },
      kit.client,
      t0,
    );
    const pastExp = later(t0, 3);
    await expect(verifyToken(kit.ctx, first.refreshToken, pastExp)).resolves.toBeUndefined();
    const refreshed = await refreshTokens(kit.ctx, first.refreshToken, kit.client, pastExp);
    expect(refreshed.accessToken).toBeTruthy();
    await expect(
      verifyToken(kit.ctx, refreshed.refreshToken, later(pastExp, 8)),
    ).rejects.toBeInstanceOf(TokenNotValid);
    await expect(
      refreshTokens(kit.ctx, refreshed.refreshToken, kit.client, later(pastExp, 8)),
    ).rejects.toBeInstanceOf(TokenNotValid);
  });
});

describe('the session max lifetime at a frozen clock', () => {
  let kit: TestKit;
  beforeAll(async () => {
    // A refresh lifetime of a day, but sessions end 5 s after sign-in.
    kit = await startTestKit({}, { sessionMaxLifetime: '5' });
    for (const name of ['pia', 'rex']) await kit.user(name);
  });
  afterAll(() => kit.close());

  const start = (username: string, now: Date) =>
    signIn(kit.ctx, { username, password: `${username}-password-1` }, kit.client, now);

  it('caps the first refresh token at the session max lifetime, and never extends it on rotation', async () => {
    const t0 = new Date(Math.floor(Date.now() / 1000) * 1000);
    const first = await start('pia', t0);
    const end = Math.floor(t0.getTime() / 1000) + 5;
    expect(first.refreshExpires).toBe(end);
    expect(decodeJwt(first.refreshToken).exp).toBe(end);
    const [session] = await kit.ctx.db.select().from(sessions).where(eq(sessions.sid, first.sid));
    expect(session!.expiresAt.getTime() / 1000).toBe(end);
    const second = await refreshTokens(kit.ctx, first.refreshToken, kit.client, later(t0, 1.1));
    expect(second.refreshExpires).toBe(end);
  });

  it('ends the session at its max lifetime although the refresh lifetime is longer', async () => {
    const t0 = new Date(Math.floor(Date.now() / 1000) * 1000);
    const first = await start('rex', t0);
    const second = await refreshTokens(kit.ctx, first.refreshToken, kit.client, later(t0, 1));
    await expect(
      refreshTokens(kit.ctx, second.refreshToken, kit.client, later(t0, 5.6)),
    ).rejects.toBeInstanceOf(TokenNotValid);
    // The JWT's exp is the session's end, so the JWT check refuses it before the database.
    expect(kit.events.at(-1)).toMatchObject({ type: 'refresh.failure', reason: 'expired' });
  });
});
