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
 * - without a client address (no header configured, or a request without it), every sign-up
 *   across all clients, with the global rule (100 per 15 minutes by default), in a window of its
 *   own: sign-up hashes a password per request and creates accounts, so it must never be
 *   unbounded; mail requests and mailed links are not counted in a shared window (the mail
 *   limit below bounds what each address receives, and a link's token cannot be guessed);
 * - per session, a password or code given to confirm an action, with the username rule: the
 *   caller holds the account's session, so a stranger's failed sign-ins (the account's sign-in
 *   window) do not hold it back; a wrong one is also added to the account's sign-in window (a
 *   failed sign-in), so the account endpoints are no way around it;
 * - per recipient address and kind of mail, the mail the kit sends (5 an hour by default), counted
 *   when a mail is about to go out: a request past it is answered as any other, and nothing is
 *   sent.
 */
const ADDRESS_SCOPE = 'accounts';
const GLOBAL_SCOPE = 'accounts-all';
const SIGN_UP_KEY = 'all';
const CEILING_FACTOR = 10;
const MAIL_SCOPE = 'mail';
const SESSION_SCOPE = 'session';

/**
 * What an anonymous account request costs without a client address: `sign_up` hashes a password
 * and creates an account; `mail` (resend, reset request) is one lookup, and its mail is bounded
 * per recipient ({@link mayMail}); `link` (a verification or reset link used) carries a 256-bit
 * token that cannot be guessed.
 */
export type AccountRequest = 'sign_up' | 'mail' | 'link';

/**
 * Counts a request to an anonymous account endpoint: from the client's address (every kind),
 * or, with no address to count it under, only a sign-up, across all clients, in a window of its
 * own. Mail requests and links are then not counted in any shared window: one would let anyone's
 * requests (about 7 a minute) hold back every real user's sign-up, link and reset site-wide.
 * @throws Throttled past the address rule (or, for a sign-up, the global rule).
 */
export async function checkAccountRequestThrottle(
  db: Database,
  config: ThrottleConfig,
  request: { kind: AccountRequest; address: string | null },
  now: Date,
): Promise<void> {
  const { throttle } = config;
  if (!throttle) return;
  const { address, kind } = request;
  if (address) return count(db, ADDRESS_SCOPE, address, throttle.address, now, 'requests');
  if (kind !== 'sign_up') return;
  await count(
    db,
    GLOBAL_SCOPE,
    SIGN_UP_KEY,
    throttle.global ?? DEFAULT_THROTTLE.global,
    now,
    'requests',
  );
}

/**
 * The ceiling on anonymous requests that only write a short-lived row (passkey sign-in options)
 * when there is no client address: ten times the global rule (1,000 per 15 minutes by default),
 * in a window of its own per `what`, so the table cannot grow without bound between two runs of
 * `flushexpiredtokens`, while a login page's conditional-UI requests on a busy site stay far
 * below it.
 * @throws Throttled past the ceiling.
 */
export async function checkAnonymousCeiling(
  db: Database,
  config: ThrottleConfig,
  what: 'passkey-options',
  now: Date,
): Promise<void> {
  const { throttle } = config;
  if (!throttle) return;
  const global = throttle.global ?? DEFAULT_THROTTLE.global;
  const rule = { limit: global.limit * CEILING_FACTOR, windowSeconds: global.windowSeconds };
  await count(db, GLOBAL_SCOPE, what, rule, now, 'requests');
}

/**
 * Counts a password or code check that confirms an action of a signed-in session (password
 * change, e-mail change, deletion, TOTP confirm and disable, re-authentication), before it is
 * checked, as sign-in counts its attempts; a right one takes the count back
 * ({@link clearPasswordFailures}). The caller holds a live session of the account, so it is no
 * stranger: it is counted under its own session with the username rule, not in the account's
 * sign-in window, which anyone who knows the username can fill (docs/contract.md section 6: a
 * stranger cannot lock the owner out), just as a known device is at sign-in.
 * @throws Throttled past the username rule for this session (or the address rule, for the
 * client's address).
 */
export async function checkPasswordThrottle(
  db: Database,
  config: ThrottleConfig,
  input: { sid: string; address: string | null; now: Date },
): Promise<void> {
  const { throttle } = config;
  if (!throttle) return;
  if (input.address)
    await count(db, ADDRESS_SCOPE, input.address, throttle.address, input.now, 'requests');
  await count(db, SESSION_SCOPE, input.sid, throttle.username, input.now);
}

/**
 * After a wrong password or code from a session: it also counts as a failed sign-in of the
 * account (docs/contract.md section 8), so a stolen session cannot guess the password without
 * holding back sign-in the way wrong passwords at sign-in do. Added, never checked here.
 */
export async function recordPasswordFailure(
  db: Database,
  config: ThrottleConfig,
  input: { userId: number; now: Date },
): Promise<void> {
  const { throttle } = config;
  if (throttle)
    await countAttempt(
      db,
      'username',
      userKey(input.userId),
      throttle.username.windowSeconds,
      input.now,
    );
}

/**
 * After a right password or code: the session's count of failed checks starts over. The
 * account's sign-in window is left alone (as after a known device's sign-in): a right password
 * from the owner's session must not give a stranger's guesses a fresh window.
 */
export async function clearPasswordFailures(
  db: Database,
  config: ThrottleConfig,
  sid: string,
): Promise<void> {
  if (config.throttle) await resetAttempts(db, SESSION_SCOPE, sid);
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
