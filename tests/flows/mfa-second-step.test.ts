import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAccount } from '@/auth/accounts/account';
import type { KnownDevice } from '@/auth/cookies/device';
import { AuthenticationFailed, InvalidRequest, Throttled, TokenNotValid } from '@/auth/errors';
import { startSecondStep, verifySecondStep } from '@/auth/mfa/second-step';
import { totpCode } from '@/auth/mfa/totp';
import { passwordSignIn, signIn } from '@/auth/services/sign-in';
import { flushExpiredTokens } from '@/db/queries/maintenance';
import { updateUser } from '@/db/queries/users';
import { authChallenges, sessions } from '@/db/schema';
import { later, startTestKit, type TestKit } from '../support/auth-context';
import { claimsOf, refusal, signedIn, stepStart, turnOnTotp } from '../support/second-factors';

describe('the second step of sign-in at a frozen clock', () => {
  let kit: TestKit;
  beforeAll(async () => {
    kit = await startTestKit({}, { throttle: 'username=5/900,address=1000/900' });
  });
  afterAll(() => kit.close());

  /** A user with TOTP on (turned on at t0, its code of t0 used): the secret and the codes. */
  async function totpUser(username: string, t0: Date) {
    const { user, claims } = await signedIn(kit, username, t0);
    return { user, claims, ...(await turnOnTotp(kit, claims, t0)) };
  }

  /** The first step for `username`: the mfa_token (or a failed test when it signs straight in). */
  async function firstStep(username: string, now: Date, devices?: KnownDevice[]) {
    const outcome = await passwordSignIn(
      kit.ctx,
      { username, password: `${username}-password-1`, devices },
      kit.client,
      now,
    );
    expect(outcome.secondStep, 'expected a second step').toBeDefined();
    return outcome.secondStep!;
  }

  const verify = (
    mfaToken: string,
    factor: { code?: string; recoveryCode?: string },
    now: Date,
    devices?: KnownDevice[],
  ) => verifySecondStep(kit.ctx, { mfaToken, ...factor, devices }, kit.client, now);

  it('answers a right password with an mfa_token and the methods, stored only as a hash, and no session', async () => {
    const t0 = stepStart();
    const { user } = await totpUser('step-ana', t0);
    const sessionsBefore = await kit.ctx.db
      .select()
      .from(sessions)
      .where(eq(sessions.userId, user.id));
    const step = await firstStep('step-ana', later(t0, 30));
    expect(step.methods).toEqual(['totp', 'recovery_code']);
    expect(step.mfaToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(
      await kit.ctx.db.select().from(sessions).where(eq(sessions.userId, user.id)),
    ).toHaveLength(sessionsBefore.length);
    const [row] = await kit.ctx.db
      .select()
      .from(authChallenges)
      .where(
        eq(authChallenges.tokenHash, createHash('sha256').update(step.mfaToken).digest('hex')),
      );
    expect(row).toMatchObject({ purpose: 'mfa', userId: user.id, failures: 0, usedAt: null });
    expect(row!.expiresAt).toEqual(later(t0, 330));
    expect(JSON.stringify(row)).not.toContain(step.mfaToken);
    // The convenience signIn() refuses to hide the second step.
    await expect(
      signIn(kit.ctx, { username: 'step-ana', password: 'step-ana-password-1' }, kit.client, t0),
    ).rejects.toThrow(/passwordSignIn/);
  });

  it('finishes with a TOTP code exactly as sign-in: amr pwd+otp+mfa, auth_time now, the device entry', async () => {
    const t0 = stepStart();
    const { user, secret } = await totpUser('step-bo', t0);
    const t1 = later(t0, 45);
    const step = await firstStep('step-bo', t1);
    const t2 = later(t0, 60);
    const done = await verify(step.mfaToken, { code: totpCode(secret, t2) }, t2);
    const claims = decodeJwt(done.accessToken);
    expect(claims).toMatchObject({
      user_id: user.id,
      amr: ['pwd', 'otp', 'mfa'],
      auth_time: t2.getTime() / 1000,
      sid: done.sid,
    });
    expect(done.refreshToken).toBeTruthy();
    expect(done.csrfToken).toBeTruthy();
    expect(done.device).toMatchObject({ userId: user.id, issuedAt: t2.getTime() / 1000 });
    expect(kit.events.at(-1)).toMatchObject({
      type: 'sign_in.success',
      userId: user.id,
      sid: done.sid,
    });
    // Single use: the same token again, even with a fresh code, is dead.
    const t3 = later(t0, 90);
    expect(await refusal(verify(step.mfaToken, { code: totpCode(secret, t3) }, t3))).toBeInstanceOf(
      TokenNotValid,
    );
  });

  it('accepts a code once: its replay in another sign-in within the window is refused', async () => {
    const t0 = stepStart();
    const { secret } = await totpUser('step-replay', t0);
    const t1 = later(t0, 30);
    const code = totpCode(secret, t1);
    await verify((await firstStep('step-replay', t1)).mfaToken, { code }, t1);
    const again = await firstStep('step-replay', later(t1, 5));
    const error = await refusal(verify(again.mfaToken, { code }, later(t1, 10)));
    expect(error).toBeInstanceOf(AuthenticationFailed);
    expect(error.message).toMatch(/used already/);
    // Nor an earlier step's code (the window still covers it), while the next step's works.
    expect(
      await refusal(verify(again.mfaToken, { code: totpCode(secret, t0) }, later(t1, 10))),
    ).toBeInstanceOf(AuthenticationFailed);
    await verify(again.mfaToken, { code: totpCode(secret, later(t1, 30)) }, later(t1, 10));
  });

  it('accepts one step of drift either side and no more', async () => {
    const t0 = stepStart();
    const { secret } = await totpUser('step-window', t0);
    const now = later(t0, 300); // step s = t0's + 10
    const code = (steps: number) => totpCode(secret, later(now, steps * 30));
    // Two steps away, either side: wrong.
    const first = await firstStep('step-window', now);
    for (const steps of [-2, 2])
      expect(await refusal(verify(first.mfaToken, { code: code(steps) }, now))).toBeInstanceOf(
        AuthenticationFailed,
      );
    // One step behind: accepted.
    await verify(first.mfaToken, { code: code(-1) }, now);
    // One step ahead (after s-1 was used): accepted too; at the last second of step s.
    const second = await firstStep('step-window', later(now, 29));
    await verify(second.mfaToken, { code: code(1) }, later(now, 29));
  });

  it('lets the mfa_token live 5 minutes: at 299 s it works, at 300 s it is dead', async () => {
    const t0 = stepStart();
    const { secret } = await totpUser('step-expiry', t0);
    const t1 = later(t0, 30);
    const late = await firstStep('step-expiry', t1);
    const at300 = later(t1, 300);
    expect(
      await refusal(verify(late.mfaToken, { code: totpCode(secret, at300) }, at300)),
    ).toBeInstanceOf(TokenNotValid);
    const inTime = await firstStep('step-expiry', at300);
    const at299 = later(at300, 299);
    await verify(inTime.mfaToken, { code: totpCode(secret, at299) }, at299);
  });

  it('kills the token at the fifth wrong code: then even the right code is 401 token_not_valid', async () => {
    const t0 = stepStart();
    const { user, secret } = await totpUser('step-five', t0);
    const t1 = later(t0, 60);
    const step = await firstStep('step-five', t1);
    const right = totpCode(secret, t1);
    const wrong = right === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) {
      const error = await refusal(verify(step.mfaToken, { code: wrong }, later(t1, i)));
      expect(error).toBeInstanceOf(AuthenticationFailed);
      expect((error as AuthenticationFailed).status).toBe(401);
    }
    expect(
      kit.events.filter((e) => e.type === 'mfa.challenge_failed' && e.userId === user.id),
    ).toMatchObject([
      { reason: 'bad_totp' },
      { reason: 'bad_totp' },
      { reason: 'bad_totp' },
      { reason: 'bad_totp' },
      { reason: 'bad_totp:token_dead' },
    ]);
    const dead = await refusal(verify(step.mfaToken, { code: right }, later(t1, 6)));
    expect(dead).toBeInstanceOf(TokenNotValid);
    expect((dead as TokenNotValid).code).toBe('token_not_valid');
    // A malformed code and an unknown token are refused as well, never thrown as something else.
    expect(await refusal(verify('no-such-token', { code: right }, t1))).toBeInstanceOf(
      TokenNotValid,
    );
  });

  it('counts wrong codes toward the username throttle; a password sign-in does not wipe them', async () => {
    const t0 = stepStart();
    const { secret } = await totpUser('step-guess', t0);
    const t1 = later(t0, 60);
    const step = await firstStep('step-guess', t1);
    for (let i = 0; i < 4; i++)
      await refusal(verify(step.mfaToken, { code: 'abcdef' }, later(t1, i)));
    // The right password again: the account is held (4 wrong codes + this attempt < 5 allowed,
    // then one more wrong code reaches the limit).
    const next = await firstStep('step-guess', later(t1, 10));
    await refusal(verify(next.mfaToken, { code: '12345x' }, later(t1, 11)));
    const held = await refusal(
      passwordSignIn(
        kit.ctx,
        { username: 'step-guess', password: 'step-guess-password-1' },
        kit.client,
        later(t1, 12),
      ),
    );
    expect(held).toBeInstanceOf(Throttled);
    expect(
      await refusal(
        verify(next.mfaToken, { code: totpCode(secret, later(t1, 13)) }, later(t1, 13)),
      ),
    ).toBeInstanceOf(Throttled);
    // After the window the owner signs in, and the success starts the count over.
    const t2 = later(t1, 901);
    const free = await firstStep('step-guess', t2);
    await verify(free.mfaToken, { code: totpCode(secret, t2) }, t2);
  });

  it("keeps the owner's known browser signing in while a stranger's wrong codes hold the username", async () => {
    const t0 = stepStart();
    const { secret } = await totpUser('step-device', t0);
    const t1 = later(t0, 60);
    const owner = await verify(
      (await firstStep('step-device', t1)).mfaToken,
      { code: totpCode(secret, t1) },
      t1,
    );
    const devices = [owner.device!];
    const stranger = await firstStep('step-device', later(t1, 1));
    for (let i = 0; i < 5; i++)
      await refusal(verify(stranger.mfaToken, { code: '999999' }, later(t1, 2 + i)));
    await expect(
      passwordSignIn(
        kit.ctx,
        { username: 'step-device', password: 'step-device-password-1' },
        kit.client,
        later(t1, 10),
      ),
    ).rejects.toBeInstanceOf(Throttled);
    const t2 = later(t1, 30);
    const mine = await firstStep('step-device', t2, devices);
    const done = await verify(mine.mfaToken, { code: totpCode(secret, t2) }, t2, devices);
    expect(done.device).toMatchObject({ deviceId: owner.device!.deviceId });
  });

  it('finishes with a recovery code, once: amr pwd+mfa and recovery_code.used', async () => {
    const t0 = stepStart();
    const { user, claims, recoveryCodes } = await totpUser('step-recovery', t0);
    const t1 = later(t0, 60);
    // Typed forgivingly: upper case, spaces instead of dashes.
    const typed = recoveryCodes[3]!.toUpperCase().replaceAll('-', ' ');
    const done = await verify(
      (await firstStep('step-recovery', t1)).mfaToken,
      { recoveryCode: typed },
      t1,
    );
    expect(decodeJwt(done.accessToken)).toMatchObject({ amr: ['pwd', 'mfa'] });
    expect(
      kit.events
        .filter((e) => e.userId === user.id)
        .map((e) => e.type)
        .slice(-2),
    ).toEqual(['recovery_code.used', 'sign_in.success']);
    expect((await readAccount(kit.ctx, claims, t1)).mfa.recovery_codes_left).toBe(9);
    const again = await firstStep('step-recovery', later(t1, 5));
    expect(
      await refusal(verify(again.mfaToken, { recoveryCode: recoveryCodes[3]! }, later(t1, 6))),
    ).toBeInstanceOf(AuthenticationFailed);
    expect(kit.events.at(-1)).toMatchObject({
      type: 'mfa.challenge_failed',
      reason: 'bad_recovery_code',
    });
    // The last code gone, the first step offers only the app.
    for (const code of recoveryCodes.filter((_, i) => i !== 3))
      await verify(
        (await firstStep('step-recovery', later(t1, 10))).mfaToken,
        { recoveryCode: code },
        later(t1, 10),
      );
    expect((await firstStep('step-recovery', later(t1, 20))).methods).toEqual(['totp']);
  });

  it('refuses a request with both or neither factor, and an account deactivated between the steps', async () => {
    const t0 = stepStart();
    const { user, secret, recoveryCodes } = await totpUser('step-odd', t0);
    const t1 = later(t0, 60);
    const step = await firstStep('step-odd', t1);
    expect(
      await refusal(
        verify(step.mfaToken, { code: totpCode(secret, t1), recoveryCode: recoveryCodes[0] }, t1),
      ),
    ).toBeInstanceOf(InvalidRequest);
    expect(await refusal(verify(step.mfaToken, {}, t1))).toBeInstanceOf(InvalidRequest);
    await updateUser(kit.ctx.db, user.id, { isActive: false });
    expect(await refusal(verify(step.mfaToken, { code: totpCode(secret, t1) }, t1))).toBeInstanceOf(
      AuthenticationFailed,
    );
  });

  it('asks a federated sign-in for the same second step: amr fed+otp+mfa, no device entry', async () => {
    const t0 = stepStart();
    const { user, secret } = await totpUser('step-fed', t0);
    const t1 = later(t0, 60);
    const step = await startSecondStep(kit.ctx, {
      user,
      amr: ['fed'],
      event: 'social_exchange.success',
      now: t1,
    });
    const done = await verify(step.mfaToken, { code: totpCode(secret, t1) }, t1);
    expect(decodeJwt(done.accessToken)).toMatchObject({ amr: ['fed', 'otp', 'mfa'] });
    expect(done.device).toBeNull();
    expect(kit.events.at(-1)).toMatchObject({ type: 'social_exchange.success', userId: user.id });
    expect(claimsOf(done).auth_time).toBe(t1.getTime() / 1000);
  });

  it('leaves expired tokens to the flush command, which removes them and keeps live ones', async () => {
    const t0 = stepStart();
    await totpUser('step-flush', t0);
    const old = await firstStep('step-flush', t0);
    const live = await firstStep('step-flush', later(t0, 200));
    const hash = (token: string) => createHash('sha256').update(token).digest('hex');
    const result = await flushExpiredTokens(kit.ctx.db, later(t0, 301));
    expect(result.authChallenges).toBeGreaterThanOrEqual(1);
    const left = (token: string) =>
      kit.ctx.db
        .select()
        .from(authChallenges)
        .where(eq(authChallenges.tokenHash, hash(token)));
    expect(await left(old.mfaToken)).toEqual([]);
    expect(await left(live.mfaToken)).toHaveLength(1);
  });
});
