import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Database } from '@/db/client';
import { countAttempt } from '@/db/queries/throttle';

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

/**
 * The floor in milliseconds: the median of the recent account writes, or zero while this process
 * has written none ({@link waitLikeAccountCreation} then measures a write first).
 */
export function accountCreationFloorMs(): number {
  if (times.length === 0) return 0;
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.ceil(QUANTILE * sorted.length) - 1] ?? 0;
}

/**
 * Waits until the floor has passed since `startedAt` (a `performance.now()`). A process that has
 * written no account yet (a cold start: a deploy, a serverless instance) has no floor, and a taken
 * address would answer without the insert and commit a new one costs; so the first such answer
 * makes one committed write of the same kind (a one-row upsert in the attempts table, scope
 * `timing`) and keeps its time as the first sample.
 */
export async function waitLikeAccountCreation(db: Database, startedAt: number): Promise<void> {
  if (times.length === 0) {
    const probeStarted = performance.now();
    await countAttempt(db, 'timing', 'sign-up', 1, new Date());
    recordAccountCreation(performance.now() - probeStarted);
  }
  const remaining = startedAt + accountCreationFloorMs() - performance.now();
  if (remaining > 0) await sleep(remaining);
}
