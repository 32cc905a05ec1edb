import { createHash, randomBytes } from 'node:crypto';
import type { LiveSession } from '@/db/queries/current-user';
import type { TotpFactor } from '@/db/schema';
import type { ClientInfo } from '../client-info';
import type { AuthConfig } from '../config/types';
import type { AuthContext } from '../context';
import { InvalidRequest, Throttled } from '../errors';
import { emitAuthEvent } from '../events';
import {
  checkPasswordThrottle,
  clearPasswordFailures,
  recordPasswordFailure,
} from '../throttle/accounts';
import { totpSecretBox, type SecretBox } from './secret-box';
import { checkTotp } from './totp';

/** How long an `mfa_token` and a WebAuthn challenge live (docs/contract.md section 9). */
export const CHALLENGE_LIFETIME_SECONDS = 5 * 60;

/** A new `mfa_token`: 256 bits from the CSPRNG, base64url. Only its hash is stored. */
export function newMfaToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The stored form of an `mfa_token` or a WebAuthn challenge: SHA-256, hex. A fast hash is right
 * for a random 256-bit value; storing only the hash means a database read alone cannot finish
 * anyone's sign-in.
 */
export function hashChallenge(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

// The box is a derived key: made once per secret, not per request.
const boxes = new Map<string, SecretBox>();

/** The TOTP secrets' box for this server's AUTH_SECRET. */
export function secretBox(config: Pick<AuthConfig, 'secret'>): SecretBox {
  let box = boxes.get(config.secret);
  if (!box) boxes.set(config.secret, (box = totpSecretBox(config.secret)));
  return box;
}

/** Seals a TOTP secret for `userId` (bound to it: a row copied to another user does not open). */
export function sealTotpSecret(config: Pick<AuthConfig, 'secret'>, userId: number, secret: string) {
  return secretBox(config).seal(secret, String(userId));
}

/**
 * The time step the code matches for the factor at `now`, not yet used (a replay within the
 * window is refused), or null: a wrong or malformed code, or a secret that no longer opens
 * (AUTH_SECRET changed: the user signs in with a recovery code and sets TOTP up again). The
 * caller then marks the step used with one conditional update, so one code wins once.
 */
export function matchTotpCode(
  config: Pick<AuthConfig, 'secret'>,
  factor: TotpFactor,
  code: unknown,
  now: Date,
): number | null {
  const secret = secretBox(config).open(factor.secretEnc, String(factor.userId));
  if (secret === null) return null;
  const result = checkTotp(code, secret, now, factor.lastUsedStep);
  return result.ok ? result.step : null;
}

/**
 * Checks a code a signed-in user gives to prove they hold their factor (TOTP confirm and
 * disable, re-authentication): counted like a password check of the account before it runs
 * (docs/contract.md section 6: the same throttle guards every endpoint that checks a code), given
 * back on success. `attempt` checks the code and marks it used; false is a wrong code.
 * @throws InvalidRequest (400, `errors.code`) for a wrong code; Throttled (429).
 */
export async function confirmCode(
  ctx: AuthContext,
  input: { session: LiveSession; client: ClientInfo; now: Date; purpose: string },
  attempt: () => Promise<boolean>,
): Promise<void> {
  const { config, db } = ctx;
  const { session, client, now } = input;
  try {
    await checkPasswordThrottle(db, config, { sid: session.sid, address: client.address, now });
  } catch (error) {
    if (error instanceof Throttled)
      await emitAuthEvent(config, {
        type: 'sign_in.throttled',
        userId: session.user.id,
        sid: session.sid,
        address: client.address,
        username: session.user.username,
      });
    throw error;
  }
  if (!(await attempt())) {
    await emitAuthEvent(config, {
      type: 'mfa.challenge_failed',
      userId: session.user.id,
      sid: session.sid,
      address: client.address,
      reason: `bad_code:${input.purpose}`,
    });
    await recordPasswordFailure(db, config, { userId: session.user.id, now });
    throw new InvalidRequest('The code is not correct.', {
      code: [
        'That code is not correct, or it was used already. Enter the current code from your authenticator app.',
      ],
    });
  }
  await clearPasswordFailures(db, config, session.sid);
}
