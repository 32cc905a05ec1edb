import { randomBytes } from 'node:crypto';
import type { Database } from '@/db/client';
import { describeError } from '@/db/errors';
import { oneHashOfEachCost } from '@/db/queries/password-costs';
import type { AuthConfig } from '../config/types';
import { log } from '@/log';
import { verifyAgainstDummyHash, verifyPassword } from '../passwords';

// Two runs per class: one cold verification alone would set the floor from a start-up hiccup.
const CALIBRATION_RUNS = 2;

async function learnHashCosts(db: Database): Promise<void> {
  const guess = randomBytes(16).toString('base64url');
  // The dummy hash (unknown users) is made now rather than on the first probe.
  await verifyAgainstDummyHash(guess);
  for (const encoded of await oneHashOfEachCost(db)) {
    for (let run = 0; run < CALIBRATION_RUNS; run++) await verifyPassword(guess, encoded);
  }
}

/**
 * Runs once at start (src/auth/startup.ts). Warns in production when no client-address header is
 * configured, since only the per-username and global limits then hold; and learns, in the
 * background, the verification cost of every class of hash in the users table, so that a failed
 * sign-in answers as late as the slowest of them from the first probe on (passwords/timing.ts).
 */
export function startSignInDefences(config: AuthConfig, db: Database): void {
  if (config.production && config.throttle && !config.clientAddressHeader) {
    log(
      config,
      'warn',
      'per-address sign-in limits are off: AUTH_CLIENT_ADDRESS_HEADER is not set, so only the per-username and global limits apply (the account endpoints: sign-ups in the global window, mail per recipient; passkey options under a ceiling); set it to the header your proxy writes (see docs/security.md)',
    );
  }
  void learnHashCosts(db).catch((error: unknown) =>
    log(config, 'warn', 'could not learn the cost of the stored password hashes', {
      error: describeError(error),
    }),
  );
}
