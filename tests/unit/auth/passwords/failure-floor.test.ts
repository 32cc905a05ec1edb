import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import {
  costClass,
  failureFloorMs,
  recordVerification,
  waitOutFailure,
} from '@/auth/passwords/timing';

describe('costClass', () => {
  it.each([
    [
      'pbkdf2_sha256$870000$seasalt$wJSpLMQRQz0Dhj/pFpbyjMj71B2gUYp6HJS5AU+32Ac=',
      'pbkdf2_sha256$870000',
    ],
    ['argon2$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA', 'argon2$argon2id$v=19$m=19456,t=2,p=1'],
    ['argon2$argon2i$m=8,t=1,p=1$c2FsdA$aGFzaA', 'argon2$argon2i$m=8,t=1,p=1'],
    ['scrypt$16384$seasalt$8$5$aGFzaA==', 'scrypt$16384$8$5'],
  ])('reads the hasher and parameters of %s', (encoded, expected) => {
    expect(costClass(encoded)).toBe(expected);
  });

  it('gives two hashes of the same parameters one class, whatever their salts', () => {
    expect(costClass('scrypt$16384$salt-one$8$5$aGFzaA==')).toBe(
      costClass('scrypt$16384$salt-two$8$5$b3RoZXI='),
    );
  });
});

describe('the failure floor', () => {
  // First in the file: the record is per process.
  it('is zero while only one class of hash is known, however slow', () => {
    recordVerification('argon2$argon2id$v=19$m=8,t=1,p=1$s$h', 500);
    expect(failureFloorMs()).toBe(0);
  });

  it("covers the most expensive class's recent 85th percentile, not its outliers", () => {
    for (let i = 1; i <= 15; i++) recordVerification(`pbkdf2_sha256$1000$s$h${i}`, i * 10);
    for (let i = 0; i < 15; i++) recordVerification('argon2$argon2id$v=19$m=8,t=1,p=1$s$h', 5);
    // Sorted 10..150: the 13th of 15 is 130 ms, above the median (80) and below the maximum.
    expect(failureFloorMs()).toBe(130);
  });

  it('follows a class down as its old samples leave the window', () => {
    for (let i = 0; i < 15; i++) recordVerification('pbkdf2_sha256$1000$s$h', 20);
    expect(failureFloorMs()).toBe(20);
  });

  it('waits out the rest of the floor after the start of a check', async () => {
    for (let i = 0; i < 15; i++) recordVerification('pbkdf2_sha256$1000$s$h', 60);
    const started = performance.now();
    await waitOutFailure(started);
    expect(performance.now() - started).toBeGreaterThanOrEqual(59);
    const late = performance.now() - 100;
    const before = performance.now();
    await waitOutFailure(late);
    expect(performance.now() - before).toBeLessThan(20);
  });
});
