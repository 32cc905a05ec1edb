import type { Database } from '@/db/client';
import { countAttempt, resetAttempts, type AttemptWindow } from '@/db/queries/throttle';
import type { AuthConfig } from '../config/types';
import type { ThrottleRule } from '../config/throttle';
import { Throttled } from '../errors';

function retryAfterSeconds(window: AttemptWindow, rule: ThrottleRule, now: Date): number {
  return (window.windowStartedAt.getTime() + rule.windowSeconds * 1000 - now.getTime()) / 1000;
}

/**
 * Before a sign-in: counts the attempt against the client address and against the username, in
 * atomic upserts, and refuses past either limit (CONTRACT.md section 6: 30 attempts per address,
 * 5 failures per username, per 15 minutes). The username's attempt is counted *before* the
 * password is checked, so a burst of parallel guesses cannot slip past the limit; a success
 * clears it, so what remains counted are failures.
 * @throws Throttled with the seconds until the window ends.
 */
export async function checkSignInThrottle(
  db: Database,
  config: Pick<AuthConfig, 'throttle'>,
  { username, address, now }: { username: string; address: string | null; now: Date },
): Promise<void> {
  const { throttle } = config;
  if (!throttle) return;
  if (address) {
    const window = await countAttempt(db, 'address', address, throttle.address.windowSeconds, now);
    if (window.count > throttle.address.limit)
      throw new Throttled(retryAfterSeconds(window, throttle.address, now));
  }
  const window = await countAttempt(db, 'username', username, throttle.username.windowSeconds, now);
  if (window.count > throttle.username.limit)
    throw new Throttled(retryAfterSeconds(window, throttle.username, now));
}

/** After a successful sign-in: the username's count starts over. */
export async function clearSignInFailures(
  db: Database,
  config: Pick<AuthConfig, 'throttle'>,
  username: string,
): Promise<void> {
  if (config.throttle) await resetAttempts(db, 'username', username);
}
