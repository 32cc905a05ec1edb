import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAccount } from '@/auth/accounts/account';
import { InvalidRequest, Throttled } from '@/auth/errors';
import { confirmTotp, disableTotp, regenerateRecoveryCodes, setupTotp } from '@/auth/mfa/factor';
import { hashRecoveryCode } from '@/auth/mfa/recovery-codes';
import { verifySecondStep } from '@/auth/mfa/second-step';
import { totpCode } from '@/auth/mfa/totp';
import { passwordSignIn } from '@/auth/services/sign-in';
import { recoveryCodes, totpFactors } from '@/db/schema';
import { later, startTestKit, type TestKit } from '../support/auth-context';
import { refusal, signedIn, stepStart, turnOnTotp } from '../support/second-factors';

/** The field errors of a 400, or a failed test for anything else. */
function fieldErrors(error: Error): Record<string, string[]> {
  expect(error).toBeInstanceOf(InvalidRequest);
  return (error as InvalidRequest).errors ?? {};
}

describe('TOTP setup, confirm and disable at a frozen clock', () => {
  let kit: TestKit;
  beforeAll(async () => {
    kit = await startTestKit({}, { throttle: 'username=5/900,address=1000/900' });
  });
  afterAll(() => kit.close());

  it('sets up with a recent sign-in: a base32 secret, its otpauth URI and a QR code, stored sealed', async () => {
    const t0 = stepStart();
    const { user, claims } = await signedIn(kit, 'setup-ada', t0);
    const setup = await setupTotp(kit.ctx, claims, { password: undefined }, kit.client, t0);
    expect(setup.secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(setup.otpauthUri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('secret')).toBe(setup.secret);
    expect(uri.searchParams.get('issuer')).toBe('app.kit.test');
    expect(decodeURIComponent(uri.pathname)).toContain('setup-ada');
    expect(setup.qrSvg).toMatch(/^<svg role="img"/);
    expect(setup.qrSvg).not.toContain(setup.secret);
    const [row] = await kit.ctx.db
      .select()
      .from(totpFactors)
      .where(eq(totpFactors.userId, user.id));
    expect(row).toMatchObject({ confirmedAt: null, lastUsedStep: null });
    expect(row!.secretEnc).toMatch(/^v1\./);
    expect(row!.secretEnc).not.toContain(setup.secret);
    // Pending is not on: the account says so, and sign-in needs no second step.
    expect((await readAccount(kit.ctx, claims, t0)).mfa).toEqual({
      totp: false,
      passkeys: 0,
      recovery_codes_left: 0,
    });
  });

  it('asks for the password once the sign-in is older than reauthMaxAge, and refuses a wrong one', async () => {
    const t0 = stepStart();
    const { claims, password } = await signedIn(kit, 'setup-stale', t0);
    const stale = later(t0, 301);
    const missing = await refusal(
      setupTotp(kit.ctx, claims, { password: undefined }, kit.client, stale),
    );
    expect(fieldErrors(missing).password).toEqual(['Enter your password to confirm.']);
    const wrong = await refusal(
      setupTotp(kit.ctx, claims, { password: 'not-it' }, kit.client, stale),
    );
    expect(fieldErrors(wrong).password).toEqual(['The password is not correct.']);
    expect(kit.events.at(-1)).toMatchObject({ type: 'sign_in.failure', reason: 'bad_password' });
    const setup = await setupTotp(kit.ctx, claims, { password }, kit.client, stale);
    expect(setup.secret).toMatch(/^[A-Z2-7]{32}$/);
    // Within reauthMaxAge (300 s, inclusive) no password is needed.
    await setupTotp(kit.ctx, claims, { password: undefined }, kit.client, later(t0, 300));
  });

  it('confirms with the current code: ten recovery codes once, stored only as hashes, and mfa.enabled', async () => {
    const t0 = stepStart();
    const { user, claims } = await signedIn(kit, 'confirm-bo', t0);
    const { secret } = await setupTotp(kit.ctx, claims, { password: undefined }, kit.client, t0);
    const wrong = await refusal(
      confirmTotp(kit.ctx, claims, { code: totpCode(secret, later(t0, -90)) }, kit.client, t0),
    );
    expect(fieldErrors(wrong).code?.[0]).toMatch(/not correct/);
    expect(kit.events.at(-1)).toMatchObject({
      type: 'mfa.challenge_failed',
      userId: user.id,
      reason: 'bad_code:confirm',
    });
    const { recoveryCodes: codes } = await confirmTotp(
      kit.ctx,
      claims,
      { code: totpCode(secret, t0) },
      kit.client,
      t0,
    );
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes)
      expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/);
    const rows = await kit.ctx.db
      .select()
      .from(recoveryCodes)
      .where(eq(recoveryCodes.userId, user.id));
    expect(rows.map((r) => r.codeHash).sort()).toEqual(
      codes.map((c) => hashRecoveryCode(user.id, c)).sort(),
    );
    expect(JSON.stringify(rows)).not.toContain(codes[0]!.slice(0, 4) + codes[0]!.slice(5, 9));
    expect(kit.events.at(-1)).toMatchObject({
      type: 'mfa.enabled',
      userId: user.id,
      sid: claims.sid,
    });
    expect((await readAccount(kit.ctx, claims, t0)).mfa).toEqual({
      totp: true,
      passkeys: 0,
      recovery_codes_left: 10,
    });
    // Confirmed once: confirming or setting up again is refused, and the secret stays.
    expect(
      fieldErrors(
        await refusal(
          confirmTotp(
            kit.ctx,
            claims,
            { code: totpCode(secret, later(t0, 30)) },
            kit.client,
            later(t0, 30),
          ),
        ),
      ).code,
    ).toEqual(['It is confirmed already.']);
    expect(
      fieldErrors(
        await refusal(setupTotp(kit.ctx, claims, { password: undefined }, kit.client, t0)),
      ).code?.[0],
    ).toMatch(/Turn it off first/);
    const [row] = await kit.ctx.db
      .select()
      .from(totpFactors)
      .where(eq(totpFactors.userId, user.id));
    expect(row!.lastUsedStep).toBe(Math.floor(t0.getTime() / 30_000));
  });

  it('refuses to confirm without a setup, and a code of the setup before the last', async () => {
    const t0 = stepStart();
    const { claims } = await signedIn(kit, 'confirm-none', t0);
    expect(
      fieldErrors(await refusal(confirmTotp(kit.ctx, claims, { code: '123456' }, kit.client, t0)))
        .code,
    ).toEqual(['Start the setup first.']);
    const first = await setupTotp(kit.ctx, claims, { password: undefined }, kit.client, t0);
    const second = await setupTotp(kit.ctx, claims, { password: undefined }, kit.client, t0);
    expect(second.secret).not.toBe(first.secret);
    await refusal(
      confirmTotp(kit.ctx, claims, { code: totpCode(first.secret, t0) }, kit.client, t0),
    );
    await confirmTotp(kit.ctx, claims, { code: totpCode(second.secret, t0) }, kit.client, t0);
  });

  it('counts wrong confirmation codes toward the account throttle', async () => {
    const t0 = stepStart();
    const { claims } = await signedIn(kit, 'confirm-guess', t0);
    const { secret } = await setupTotp(kit.ctx, claims, { password: undefined }, kit.client, t0);
    for (let i = 0; i < 5; i++)
      expect(
        await refusal(confirmTotp(kit.ctx, claims, { code: '000000' }, kit.client, t0)),
      ).toBeInstanceOf(InvalidRequest);
    expect(
      await refusal(confirmTotp(kit.ctx, claims, { code: totpCode(secret, t0) }, kit.client, t0)),
    ).toBeInstanceOf(Throttled);
  });

  describe('turning it off', () => {
    it('takes a current code, once: a replayed one is refused, the next one works', async () => {
      const t0 = stepStart();
      const { user, claims } = await signedIn(kit, 'off-code', t0);
      const { secret } = await turnOnTotp(kit, claims, t0);
      const t1 = later(t0, 400); // the sign-in is no longer recent
      const replayed = await refusal(
        disableTotp(
          kit.ctx,
          claims,
          { password: undefined, code: totpCode(secret, t0) },
          kit.client,
          later(t0, 20),
        ),
      );
      expect(fieldErrors(replayed).code?.[0]).toMatch(/used already/);
      const stale = await refusal(
        disableTotp(kit.ctx, claims, { password: undefined, code: undefined }, kit.client, t1),
      );
      expect(fieldErrors(stale).password).toEqual(['Enter your password to confirm.']);
      await disableTotp(
        kit.ctx,
        claims,
        { password: undefined, code: totpCode(secret, t1) },
        kit.client,
        t1,
      );
      expect(kit.events.at(-1)).toMatchObject({ type: 'mfa.disabled', userId: user.id });
      expect(
        await kit.ctx.db.select().from(totpFactors).where(eq(totpFactors.userId, user.id)),
      ).toEqual([]);
      expect(
        await kit.ctx.db.select().from(recoveryCodes).where(eq(recoveryCodes.userId, user.id)),
      ).toEqual([]);
      // Off: sign-in needs no second step again.
      const outcome = await passwordSignIn(
        kit.ctx,
        { username: 'off-code', password: 'off-code-password-1' },
        kit.client,
        later(t1, 1),
      );
      expect(outcome.secondStep).toBeUndefined();
      expect(
        fieldErrors(
          await refusal(
            disableTotp(kit.ctx, claims, { password: undefined, code: undefined }, kit.client, t1),
          ),
        ).code,
      ).toEqual(['Turn on two-factor authentication first.']);
    });

    it('takes the password, and refuses a wrong one with errors.password', async () => {
      const t0 = stepStart();
      const { claims, password } = await signedIn(kit, 'off-password', t0);
      await turnOnTotp(kit, claims, t0);
      const t1 = later(t0, 3600);
      const wrong = await refusal(
        disableTotp(kit.ctx, claims, { password: 'wrong', code: undefined }, kit.client, t1),
      );
      expect(fieldErrors(wrong).password).toEqual(['The password is not correct.']);
      await disableTotp(kit.ctx, claims, { password, code: undefined }, kit.client, t1);
    });

    it('takes nothing within reauthMaxAge of the sign-in', async () => {
      const t0 = stepStart();
      const { claims } = await signedIn(kit, 'off-recent', t0);
      await turnOnTotp(kit, claims, t0);
      await disableTotp(
        kit.ctx,
        claims,
        { password: undefined, code: undefined },
        kit.client,
        later(t0, 299),
      );
    });
  });

  it('regenerates the recovery codes: the old ones stop working, the new ones work', async () => {
    const t0 = stepStart();
    const { claims } = await signedIn(kit, 'regen', t0);
    const { recoveryCodes: old } = await turnOnTotp(kit, claims, t0);
    const { recoveryCodes: fresh } = await regenerateRecoveryCodes(
      kit.ctx,
      claims,
      { password: undefined, code: undefined },
      kit.client,
      later(t0, 10),
    );
    expect(fresh).toHaveLength(10);
    expect(fresh.filter((c) => old.includes(c))).toEqual([]);
    expect(kit.events.at(-1)).toMatchObject({ type: 'mfa.recovery_codes_regenerated' });
    const step = async (recoveryCode: string) => {
      const outcome = await passwordSignIn(
        kit.ctx,
        { username: 'regen', password: 'regen-password-1' },
        kit.client,
        later(t0, 20),
      );
      return verifySecondStep(
        kit.ctx,
        { mfaToken: outcome.secondStep!.mfaToken, recoveryCode },
        kit.client,
        later(t0, 21),
      );
    };
    await refusal(step(old[0]!));
    await step(fresh[0]!);
    // Stale session and no password: refused.
    expect(
      fieldErrors(
        await refusal(
          regenerateRecoveryCodes(
            kit.ctx,
            claims,
            { password: undefined, code: undefined },
            kit.client,
            later(t0, 301),
          ),
        ),
      ).password,
    ).toBeDefined();
  });
});
