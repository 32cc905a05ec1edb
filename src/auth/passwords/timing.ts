import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** Recent verification times kept per cost class: enough for a stable quantile, quick to follow load. */
const SAMPLES_PER_CLASS = 15;

/**
 * The quantile of a class's recent times that the floor covers: above the median, so that the
 * slowest class's own failures mostly end at the floor too, and below the maximum, so one slow
 * outlier (a GC pause, a busy CPU) does not slow every failure down.
 */
const FLOOR_QUANTILE = 0.85;

// On globalThis: the instrumentation bundle (which calibrates at start) and each route bundle
// load their own copy of this module, and all of them must share one record.
const shared = globalThis as unknown as { __authKitVerifyTimes?: Map<string, number[]> };
const times = (shared.__authKitVerifyTimes ??= new Map());

/**
 * The cost class of a Django-format hash: the hasher and its parameters, i.e. the encoded string
 * without its salt and digest (`pbkdf2_sha256$870000`, `argon2$argon2id$v=19$m=19456,t=2,p=1`).
 */
export function costClass(encoded: string): string {
  const fields = encoded.split('$');
  // Django's scrypt puts the salt between its parameters: scrypt$N$salt$r$p$digest.
  if (fields[0] === 'scrypt') return [fields[0], fields[1], fields[3], fields[4]].join('$');
  return fields.slice(0, -2).join('$');
}

/** Records how long one verification of a hash of `encoded`'s class took, in milliseconds. */
export function recordVerification(encoded: string, milliseconds: number): void {
  const key = costClass(encoded);
  const samples = times.get(key) ?? [];
  samples.push(milliseconds);
  if (samples.length > SAMPLES_PER_CLASS) samples.shift();
  times.set(key, samples);
}

function quantile(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.ceil(FLOOR_QUANTILE * sorted.length) - 1] ?? 0;
}

/**
 * How long a failed password check takes at least, in milliseconds: the recent cost of the most
 * expensive class of hash this server has verified (at start-up every class in the users table
 * is verified, see throttle/startup.ts; a class met later counts from its first use). Zero while
 * only one class is known (the kit's own Argon2id hashes and the dummy hash): every failure then
 * does the very same work already, and waiting would only slow it down.
 */
export function failureFloorMs(): number {
  if (times.size < 2) return 0;
  let floor = 0;
  for (const samples of times.values()) floor = Math.max(floor, quantile(samples));
  return floor;
}

/**
 * Waits until `failureFloorMs()` has passed since `startedAt` (a `performance.now()` taken before
 * the password check), so an unknown user, a wrong password, an inactive user and an imported hash
 * of any hasher or cost answer alike (docs/contract.md section 6). A wait, never extra hashing: the
 * cheap failures cost no CPU to hide among the expensive ones.
 */
export async function waitOutFailure(startedAt: number): Promise<void> {
  const remaining = startedAt + failureFloorMs() - performance.now();
  if (remaining > 0) await sleep(remaining);
}
