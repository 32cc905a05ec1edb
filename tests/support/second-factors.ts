/** Helpers for the second-factor and passkey suites (docs/contract.md section 9). */
import { decodeJwt } from 'jose';
import { expect } from 'vitest';
import { confirmTotp, setupTotp } from '@/auth/mfa/factor';
import { totpCode } from '@/auth/mfa/totp';
import type { IssuedTokens } from '@/auth/sessions/issue';
import type { AccessTokenClaims } from '@/auth/tokens/types';
import { signIn } from '@/auth/services/sign-in';
import type { TestKit } from './auth-context';

/** The claims of an issued access token, as verifyBearer would give them. */
export function claimsOf(issued: Pick<IssuedTokens, 'accessToken'>): AccessTokenClaims {
  return decodeJwt(issued.accessToken) as AccessTokenClaims;
}

/** The error a promise rejects with (or a failed test when it resolves). */
export async function refusal(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => null,
    (error: unknown) => error as Error,
  );
  expect(outcome, 'expected a refusal').not.toBeNull();
  return outcome!;
}

/** The start of a 30-second TOTP step, a little in the past: a frozen clock for code rules. */
export function stepStart(offsetSteps = 0): Date {
  return new Date((Math.floor(Date.now() / 30_000) - 10 + offsetSteps) * 30_000);
}

/** A password user of the kit, signed in at `now`: the user, the session's tokens and claims. */
export async function signedIn(kit: TestKit, username: string, now: Date) {
  const user = await kit.user(username);
  const issued = await signIn(
    kit.ctx,
    { username, password: `${username}-password-1` },
    kit.client,
    now,
  );
  return { user, issued, claims: claimsOf(issued), password: `${username}-password-1` };
}

/**
 * Turns TOTP on for the session's user at `now` (setup within reauthMaxAge of the sign-in, then
 * the code of `now`'s step, which is then used): the secret and the ten recovery codes.
 */
export async function turnOnTotp(
  kit: TestKit,
  claims: AccessTokenClaims,
  now: Date,
): Promise<{ secret: string; recoveryCodes: string[] }> {
  const { secret } = await setupTotp(kit.ctx, claims, { password: undefined }, kit.client, now);
  const { recoveryCodes } = await confirmTotp(
    kit.ctx,
    claims,
    { code: totpCode(secret, now) },
    kit.client,
    now,
  );
  return { secret, recoveryCodes };
}
