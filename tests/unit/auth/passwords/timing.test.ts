import { performance } from 'node:perf_hooks';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, verifyAgainstDummyHash, verifyPassword } from '@/auth/passwords';

const RUNS = 7;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function elapsed(action: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await action();
  return performance.now() - start;
}

/** Median time of `probe` divided by median time of a wrong-password verify, runs interleaved. */
async function ratioToWrongPassword(encoded: string, probe: () => Promise<unknown>) {
  const probeTimes: number[] = [];
  const wrongTimes: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    probeTimes.push(await elapsed(probe));
    wrongTimes.push(await elapsed(() => verifyPassword('wrong password', encoded)));
  }
  return median(probeTimes) / median(wrongTimes);
}

describe('dummy-hash timing', () => {
  let encoded = '';

  beforeAll(async () => {
    encoded = await hashPassword('correct horse battery staple');
    // Warm up: the first dummy verify also creates the cached dummy hash.
    await verifyAgainstDummyHash('warm-up');
    await verifyPassword('warm-up', encoded);
  });

  it('costs about as much as verifying a wrong password', async () => {
    const ratio = await ratioToWrongPassword(encoded, () => verifyAgainstDummyHash('guess'));
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });

  it('makes a user without a password cost about as much as a wrong password', async () => {
    const ratio = await ratioToWrongPassword(encoded, () => verifyPassword('guess', null));
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });

  it('makes an unparseable stored hash cost about as much as a wrong password', async () => {
    const ratio = await ratioToWrongPassword(encoded, () => verifyPassword('guess', 'lolcat$x$y'));
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });
});
