import type { Database } from '@/db/client';
import { countAttempt, resetAttempts } from '@/db/queries/throttle';
import type { AuthConfig } from '../config/types';
import { DEFAULT_THROTTLE } from '../config/throttle';
import { count, userKey } from './sign-in';

type ThrottleConfig = Pick<AuthConfig, 'throttle'>;

/**
 * The throttles of the account endpoints (docs/contract.md sections 6 and 8), in the same
 * database windows as sign-in, so they hold across server instances:
 *
 * - per client address (with a configured address header), every request to an anonymous
 *   account endpoint, with the address rule, under a scope of its own: page loads and mail
 *   requests do not eat into the same address's sign-in attempts;
 * - without a client address (no header configured, or a request without it), every such request
 *   across all clients, with the global rule (100 per 15 minutes by default), in a window of its
 *   own: sign-up hashes a password per request and creates accounts, so it must never be
 *   unbounded;
 * - per account, a wrong password given to confirm an action, counted as a failed sign-in of
 *   that account (the sign-in username window), so the account endpoints are no way around it;
 * - per recipient address and kind of mail, the mail the kit sends (5 an hour by default), counted
 *   when a mail is about to go out: a request past it is answered as any other, and nothing is
 *   sent.
 */
const ADDRESS_SCOPE = 'accounts';
const GLOBAL_SCOPE = 'accounts-all';
const GLOBAL_KEY = 'all';
const MAIL_SCOPE = 'mail';

/**
 * Counts a request to an anonymous account endpoint: from the client's address, or, with no
 * address to count it under, across all clients.
 * @throws Throttled past the address rule (or the global rule).
 */
export async function checkAccountRequestThrottle(
  db: Database,
  config: ThrottleConfig,
  address: string | null,
  now: Date,
): Promise<void> {
  const { throttle } = config;
  if (!throttle) return;
  if (address) return count(db, ADDRESS_SCOPE, address, throttle.address, now, 'requests');
  await count(
    db,
    GLOBAL_SCOPE,
    GLOBAL_KEY,
    throttle.global ?? DEFAULT_THROTTLE.global,
    now,
    'requests',
  );
}

/**
 * Counts a password check that confirms an action of a signed-in account (password change,
 * e-mail change, deletion), before the password is checked, as sign-in counts its attempts; a
 * right password takes the count back ({@link clearPasswordFailures}).
 * @throws Throttled past the username rule (or the address rule, for the client's address).
 */
export async function checkPasswordThrottle(
  db: Database,
  config: ThrottleConfig,
  input: { userId: number; address: string | null; now: Date },
): Promise<void> {
  const { throttle } = config;
  if (!throttle) return;
  if (input.address)
    await count(db, ADDRESS_SCOPE, input.address, throttle.address, input.now, 'requests');
  await count(db, 'username', userKey(input.userId), throttle.username, input.now);
}

/** After a right password: the account's count of failed password checks starts over. */
export async function clearPasswordFailures(
  db: Database,
  config: ThrottleConfig,
  userId: number,
): Promise<void> {
  if (config.throttle) await resetAttempts(db, 'username', userKey(userId));
}

/**
 * Counts one mail of a kind (`verify_email`, `password_reset`, ...) to a recipient (its canonical
 * address) and tells whether it may go out. Called by delivery, after the answer, for a mail that
 * is about to be sent: requests that send nothing (an address without an account) count nothing,
 * so a stranger's requests cannot use up the owner's mail, and each kind has a window of its own,
 * so resend or sign-up requests cannot hold back a password reset.
 */
export async function mayMail(
  db: Database,
  config: ThrottleConfig,
  mail: { kind: string; recipient: string },
  now: Date,
): Promise<boolean> {
  if (!config.throttle) return true;
  const rule = config.throttle.mail ?? DEFAULT_THROTTLE.mail;
  const key = `${mail.kind}:${mail.recipient}`;
  const window = await countAttempt(db, MAIL_SCOPE, key, rule.windowSeconds, now);
  return window.count <= rule.limit;
}
