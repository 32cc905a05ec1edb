/**
 * The first step's answer for a user with a second factor (docs/contract.md section 9): 200
 * `{ mfa_required: true, mfa_token, methods }` from POST /auth/sign-in/ or
 * /auth/social-exchange/, with no cookie. The client keeps the token in memory only.
 */

import type { AuthClientErrorInfo } from './types';

/** The ways to finish the second step, as the server lists them. */
export type SecondFactorMethod = 'totp' | 'recovery_code';

/** How long an `mfa_token` lives on the server (docs/contract.md section 9: 5 minutes). */
export const SECOND_STEP_LIFETIME_MS = 5 * 60 * 1000;

/** Wrong codes after which the server kills the `mfa_token` (the fifth one). */
export const SECOND_STEP_MAX_FAILURES = 5;

/**
 * Thrown by the token-answer calls when the server asks for a second factor instead: not an
 * error for the user, a step. The provider catches it and keeps the token.
 */
export class SecondFactorRequired extends Error {
  constructor(
    readonly mfaToken: string,
    readonly methods: SecondFactorMethod[],
  ) {
    super('A second factor is needed to finish the sign-in.');
    this.name = 'SecondFactorRequired';
  }
}

/** The second-step answer in `body`, or null when `body` is anything else. */
export function readSecondStep(body: unknown): SecondFactorRequired | null {
  const answer = body as { mfa_required?: unknown; mfa_token?: unknown; methods?: unknown } | null;
  if (answer?.mfa_required !== true || typeof answer.mfa_token !== 'string' || !answer.mfa_token)
    return null;
  const listed = Array.isArray(answer.methods) ? answer.methods : [];
  const methods = (['totp', 'recovery_code'] as const).filter((method) => listed.includes(method));
  // An answer listing nothing this client knows still asks for the code: TOTP is the factor.
  return new SecondFactorRequired(answer.mfa_token, methods.length > 0 ? methods : ['totp']);
}

/** An error the client itself reports for the second step (no request, or one the server ended). */
export function stepError(
  code: 'second_factor_expired' | 'second_factor_exhausted',
  status = 401,
): AuthClientErrorInfo {
  return {
    source: 'sign-in',
    code,
    status,
    detail:
      code === 'second_factor_expired'
        ? 'This sign-in has expired or was already finished. Sign in again.'
        : 'Too many wrong codes. Sign in again.',
  };
}
