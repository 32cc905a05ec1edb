import { describe, expect, it } from 'vitest';
import {
  accountCreationFloorMs,
  recordAccountCreation,
  waitLikeAccountCreation,
} from '@/auth/accounts/timing';
import type { Database } from '@/db/client';

// With a floor recorded, waiting makes no probe write (tests/flows/accounts-mfa-review.test.ts has
// the cold start's): no database is needed.
const noDatabase = {} as Database;

describe('the sign-up timing floor', () => {
  it('is zero before any account is written, then the median of the last 15', () => {
    expect(accountCreationFloorMs()).toBe(0);
    for (const ms of [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150])
      recordAccountCreation(ms);
    expect(accountCreationFloorMs()).toBe(80);
    // A new sample pushes out the oldest.
    recordAccountCreation(200);
    expect(accountCreationFloorMs()).toBe(90);
  });

  it('waits out what is left of the floor, and no more', async () => {
    for (let i = 0; i < 15; i++) recordAccountCreation(60);
    const started = performance.now();
    await waitLikeAccountCreation(noDatabase, started);
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(55);
    const late = performance.now() - 100;
    const before = performance.now();
    await waitLikeAccountCreation(noDatabase, late);
    expect(performance.now() - before).toBeLessThan(20);
  });
});
