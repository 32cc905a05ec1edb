import { sql } from 'drizzle-orm';
import type { Database } from '../client';
import { queryRows } from '../execute';

/** A throttle window as stored: how many attempts counted since when. */
export interface AttemptWindow {
  count: number;
  windowStartedAt: Date;
}

/**
 * Counts one attempt in the fixed window of (scope, key), starting a new window when the old one
 * has passed, in one atomic upsert (so concurrent attempts on several instances all count).
 */
export async function countAttempt(
  db: Database,
  scope: string,
  key: string,
  windowSeconds: number,
  now: Date,
): Promise<AttemptWindow> {
  const windowStart = new Date(now.getTime() - windowSeconds * 1000);
  const [row] = await queryRows<{ count: number; window_started_at: Date | string }>(
    db,
    sql`
    insert into sign_in_attempts as a (scope, key, count, window_started_at)
    values (${scope}, ${key}, 1, ${now})
    on conflict (scope, key) do update set
      count = case when a.window_started_at <= ${windowStart} then 1 else a.count + 1 end,
      window_started_at = case when a.window_started_at <= ${windowStart} then ${now} else a.window_started_at end
    returning count, window_started_at`,
  );
  return {
    count: Number(row?.count ?? 1),
    windowStartedAt: new Date(row?.window_started_at ?? now),
  };
}

/** Forgets the window of (scope, key) (a username's failures after a successful sign-in). */
export async function resetAttempts(db: Database, scope: string, key: string): Promise<void> {
  await db.execute(sql`delete from sign_in_attempts where scope = ${scope} and key = ${key}`);
}

/**
 * Takes one attempt back from the window of (scope, key): the global count keeps only failures,
 * so a success gives back the attempt counted before its password was checked.
 */
export async function forgiveAttempt(db: Database, scope: string, key: string): Promise<void> {
  await db.execute(
    sql`update sign_in_attempts set count = greatest(count - 1, 0) where scope = ${scope} and key = ${key}`,
  );
}
