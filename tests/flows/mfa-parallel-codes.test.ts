import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationFailed, TokenNotValid } from '@/auth/errors';
import { verifySecondStep } from '@/auth/mfa/second-step';
import { totpCode } from '@/auth/mfa/totp';
import { passwordSignIn } from '@/auth/services/sign-in';
import { later, startTestKit, type TestKit } from '../support/auth-context';
import { signedIn, stepStart, turnOnTotp } from '../support/second-factors';

// docs/contract.md section 9: "after the fifth wrong code the token is dead". The limit must
// hold for wrong codes sent in parallel too: each check claims its failure slot before the code
// is looked at, so however many race, at most five are ever checked against one mfa_token.
describe('wrong codes racing on one mfa_token', () => {
  let kit: TestKit;
  beforeAll(async () => {
    // A username limit well above the token's own, so only the token's limit is under test.
    kit = await startTestKit({}, { throttle: 'username=100/900,address=1000/900' });
  });
  afterAll(() => kit.close());

  async function firstStep(username: string, now: Date) {
    const outcome = await passwordSignIn(
      kit.ctx,
      { username, password: `${username}-password-1` },
      kit.client,
      now,
    );
    expect(outcome.secondStep, 'expected a second step').toBeDefined();
    return outcome.secondStep!;
  }

  const settle = (promises: Promise<unknown>[]) =>
    Promise.all(
      promises.map((p) =>
        p.then(
          () => null,
          (error: unknown) => error,
        ),
      ),
    );

  it('checks at most five of twenty parallel wrong codes; the rest, and the right code after, are token_not_valid', async () => {
    const t0 = stepStart();
    const { claims, user } = await signedIn(kit, 'race-five', t0);
    const { secret } = await turnOnTotp(kit, claims, t0);
    const t1 = later(t0, 60);
    const step = await firstStep('race-five', t1);
    const right = totpCode(secret, t1);
    const wrong = right === '000000' ? '111111' : '000000';
    const outcomes = await settle(
      Array.from({ length: 20 }, () =>
        verifySecondStep(kit.ctx, { mfaToken: step.mfaToken, code: wrong }, kit.client, t1),
      ),
    );
    const checked = outcomes.filter((o) => o instanceof AuthenticationFailed);
    const dead = outcomes.filter((o) => o instanceof TokenNotValid);
    expect(checked).toHaveLength(5);
    expect(dead).toHaveLength(15);
    const failures = kit.events.filter(
      (e) => e.type === 'mfa.challenge_failed' && e.userId === user.id,
    );
    expect(failures).toHaveLength(5);
    expect(failures.filter((e) => e.reason === 'bad_totp:token_dead')).toHaveLength(1);
    await expect(
      verifySecondStep(kit.ctx, { mfaToken: step.mfaToken, code: right }, kit.client, t1),
    ).rejects.toBeInstanceOf(TokenNotValid);
  });

  it('lets a right code among parallel wrong ones finish the sign-in, and still checks no more than five', async () => {
    const t0 = stepStart(1);
    const { claims } = await signedIn(kit, 'race-mixed', t0);
    const { secret } = await turnOnTotp(kit, claims, t0);
    const t1 = later(t0, 60);
    const step = await firstStep('race-mixed', t1);
    const right = totpCode(secret, t1);
    const wrong = right === '000000' ? '111111' : '000000';
    const codes = [wrong, wrong, right, wrong, wrong, wrong, wrong, wrong];
    const outcomes = await settle(
      codes.map((code) =>
        verifySecondStep(kit.ctx, { mfaToken: step.mfaToken, code }, kit.client, t1),
      ),
    );
    // The right code is checked third, while at most two wrong ones hold a slot: it wins.
    const signedInCount = outcomes.filter((o) => o === null).length;
    const checkedWrong = outcomes.filter((o) => o instanceof AuthenticationFailed).length;
    expect(signedInCount).toBe(1);
    expect(checkedWrong).toBeLessThanOrEqual(4);
    expect(
      outcomes.every(
        (o) => o === null || o instanceof AuthenticationFailed || o instanceof TokenNotValid,
      ),
    ).toBe(true);
  });
});
