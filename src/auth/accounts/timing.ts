import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The sign-up timing floor (docs/contract.md section 8: an address with an account and one
 * without answer in the same time). A sign-up with a new address writes the account (an insert
 * and its commit); one with a taken address writes nothing and would answer measurably sooner.
 * So the taken-address path waits until the recent cost of the writing path has passed, as the
 * sign-in failure floor does for cheap password failures (passwords/timing.ts): a wait, never
 * extra work, so hiding costs no CPU.
 */

/** Recent account-creation times kept: enough for a stable quantile, quick to follow load. */
const SAMPLES = 15;

/**
 * The quantile the floor is: the median, since a padded answer ends at the floor (its own work is
 * shorter), so the padded answers' median is the floor, and the writing answers' median is the
 * median of their times. One slow outlier moves it little.
 */
const QUANTILE = 0.5;

// On globalThis, like the sign-in floor: every bundle that loads this module shares one record.
const shared = globalThis as unknown as { __authKitSignUpTimes?: number[] };
const times = (shared.__authKitSignUpTimes ??= []);

/** Records how long writing a new account took, in milliseconds. */
export function recordAccountCreation(milliseconds: number): void {
  times.push(milliseconds);
  if (times.length > SAMPLES) times.shift();
}

/** The floor in milliseconds: zero until the first account of this process has been written. */
export function accountCreationFloorMs(): number {
  if (times.length === 0) return 0;
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.ceil(QUANTILE * sorted.length) - 1] ?? 0;
}

/** Waits until the floor has passed since `startedAt` (a `performance.now()`). */
export async function waitLikeAccountCreation(startedAt: number): Promise<void> {
  const remaining = startedAt + accountCreationFloorMs() - performance.now();
  if (remaining > 0) await sleep(remaining);
}
