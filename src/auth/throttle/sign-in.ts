import type { Database } from '@/db/client';
import {
  countAttempt,
  forgiveAttempt,
  resetAttempts,
  type AttemptWindow,
} from '@/db/queries/throttle';
import type { AuthConfig } from '../config/types';
import { DEFAULT_THROTTLE, type ThrottleRule } from '../config/throttle';
import type { KnownDevice } from '../cookies/device';
import { Throttled } from '../errors';

/** What the throttle knows about a sign-in attempt before its password is checked. */
export interface SignInAttempt {
  /** The username as sent. */
  username: string;
  /** The account it names, or null for an unknown username. */
  userId: number | null;
  /** The client address from the configured header, or null when none is configured. */
  address: string | null;
  /** The device cookie entry issued to this browser for this very account, or null. */
  device: KnownDevice | null;
  now: Date;
}

type ThrottleConfig = Pick<AuthConfig, 'throttle' | 'clientAddressHeader'>;

// The one row of the global window ('global' fits the scope column's 16 characters).
const GLOBAL_KEY = 'all';

function retryAfterSeconds(window: AttemptWindow, rule: ThrottleRule, now: Date): number {
  return (window.windowStartedAt.getTime() + rule.windowSeconds * 1000 - now.getTime()) / 1000;
}

/**
 * Counts one attempt in the window of (scope, key) and refuses it past the rule's limit.
 * @throws Throttled with the seconds until the window ends (`what` names the attempts).
 */
export async function count(
  db: Database,
  scope: string,
  key: string,
  rule: ThrottleRule,
  now: Date,
  what?: string,
): Promise<void> {
  const window = await countAttempt(db, scope, key, rule.windowSeconds, now);
  if (window.count > rule.limit) throw new Throttled(retryAfterSeconds(window, rule, now), what);
}

/**
 * The account's key: its id when the username names one, so spellings that find the same user
 * share one count; the username itself otherwise.
 */
function accountKey(attempt: SignInAttempt): string {
  return attempt.userId !== null ? userKey(attempt.userId) : `name:${attempt.username}`;
}

/** The key an account's failed password checks count under (sign-in, and the account endpoints). */
export function userKey(userId: number): string {
  return `user:${userId}`;
}

/**
 * Before the password check, counts the attempt and refuses it past a limit (docs/contract.md
 * section 6), each count one atomic upsert made *before* the password is checked, so a burst of
 * parallel guesses cannot slip past; a success takes its count back (clearSignInFailures).
 *
 * - Per client address (only with a configured address header): every attempt, from anyone.
 * - A browser holding the account's device cookie (OWASP "device cookies") is counted under its
 *   device id with the username rule instead of the username and global limits, so a stranger's
 *   failures cannot lock it out; its own failures still hold it after the same number.
 * - Any other client: per account (5 failures), and, while no address header is configured,
 *   across all clients (the global limit, 100 failures), which bounds password spraying.
 * @throws Throttled with the seconds until the window ends.
 */
export async function checkSignInThrottle(
  db: Database,
  config: ThrottleConfig,
  attempt: SignInAttempt,
): Promise<void> {
  const { throttle } = config;
  if (!throttle) return;
  const { address, device, now } = attempt;
  if (address) await count(db, 'address', address, throttle.address, now);
  if (device) return count(db, 'device', device.deviceId, throttle.username, now);
  await count(db, 'username', accountKey(attempt), throttle.username, now);
  if (!config.clientAddressHeader)
    await count(db, 'global', GLOBAL_KEY, throttle.global ?? DEFAULT_THROTTLE.global, now);
}

/** After a successful sign-in: the device's or the account's count starts over, and the global count gives this attempt back. */
export async function clearSignInFailures(
  db: Database,
  config: ThrottleConfig,
  attempt: SignInAttempt,
): Promise<void> {
  if (!config.throttle) return;
  if (attempt.device) return resetAttempts(db, 'device', attempt.device.deviceId);
  await resetAttempts(db, 'username', accountKey(attempt));
  if (!config.clientAddressHeader) await forgiveAttempt(db, 'global', GLOBAL_KEY);
}

/**
 * After a right password that still needs a second factor (docs/contract.md section 9): the
 * attempt counted before the password check is given back, but the account's earlier failures
 * stay, wrong codes included, until the second step succeeds (clearSignInFailures): signing in
 * with the password again does not give a code guesser a fresh window.
 */
export async function forgiveSignInAttempt(
  db: Database,
  config: ThrottleConfig,
  attempt: SignInAttempt,
): Promise<void> {
  if (!config.throttle) return;
  if (attempt.device) return forgiveAttempt(db, 'device', attempt.device.deviceId);
  await forgiveAttempt(db, 'username', accountKey(attempt));
  if (!config.clientAddressHeader) await forgiveAttempt(db, 'global', GLOBAL_KEY);
}
