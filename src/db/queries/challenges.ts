import { randomUUID } from 'node:crypto';
import { and, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import type { Database } from '../client';
import { authChallenges, type AuthChallenge, type ChallengePurpose } from '../schema';

// Short-lived, single-use server-side state of a ceremony (auth_challenges): an `mfa_token`
// between the two steps of a sign-in, or a WebAuthn challenge between options and response. Rows
// are found by the SHA-256 of the token or challenge (never stored itself) and consumed by one
// conditional update, so two requests racing with one token cannot both use it.

/** A Drizzle handle or a transaction on one. */
type Executor = Pick<Database, 'select' | 'insert' | 'update' | 'delete' | 'execute'>;

/** Wrong codes an `mfa_token` survives: the fifth kills it (docs/contract.md section 9). */
export const MAX_CHALLENGE_FAILURES = 5;

/** Stores a new challenge. */
export async function insertChallenge(
  db: Executor,
  values: {
    purpose: ChallengePurpose;
    userId: number | null;
    tokenHash: string;
    expiresAt: Date;
    now: Date;
    context?: Record<string, unknown> | null;
  },
): Promise<void> {
  await db.insert(authChallenges).values({
    id: randomUUID(),
    purpose: values.purpose,
    userId: values.userId,
    tokenHash: values.tokenHash,
    expiresAt: values.expiresAt,
    createdAt: values.now,
    context: values.context ?? null,
  });
}

/** Unused, unexpired at `now`, and not killed by wrong codes. */
const usable = (now: Date) =>
  and(
    isNull(authChallenges.usedAt),
    gt(authChallenges.expiresAt, now),
    lt(authChallenges.failures, MAX_CHALLENGE_FAILURES),
  );

/** The usable challenge of this purpose with this hash, or null (used, expired, dead, unknown). */
export async function findUsableChallenge(
  db: Executor,
  input: { purpose: ChallengePurpose; tokenHash: string; now: Date },
): Promise<AuthChallenge | null> {
  const [row] = await db
    .select()
    .from(authChallenges)
    .where(
      and(
        eq(authChallenges.purpose, input.purpose),
        eq(authChallenges.tokenHash, input.tokenHash),
        usable(input.now),
      ),
    );
  return row ?? null;
}

/**
 * Uses a challenge: ONE conditional update (unused, unexpired, alive), so of two requests racing
 * with the same token exactly one wins. Find it by `id` (a row already read) or by its hash.
 * @returns the row as it was, or null when it could not be used.
 */
export async function consumeChallenge(
  db: Executor,
  input: {
    purpose: ChallengePurpose;
    now: Date;
    /** Only the challenge issued to this user (registration: the signed-in caller). */
    userId?: number;
  } & ({ id: string } | { tokenHash: string }),
): Promise<AuthChallenge | null> {
  const which =
    'id' in input ? eq(authChallenges.id, input.id) : eq(authChallenges.tokenHash, input.tokenHash);
  const owner = input.userId === undefined ? undefined : eq(authChallenges.userId, input.userId);
  const [row] = await db
    .update(authChallenges)
    .set({ usedAt: input.now })
    .where(and(which, owner, eq(authChallenges.purpose, input.purpose), usable(input.now)))
    .returning();
  return row ?? null;
}

/**
 * Claims one of an `mfa_token`'s MAX_CHALLENGE_FAILURES check slots, atomically, BEFORE its code
 * is checked: one conditional update (unused, unexpired, fewer than the maximum claimed), so
 * however many requests race with one token, at most MAX_CHALLENGE_FAILURES codes are ever
 * checked against it. A wrong code keeps its slot (it is the failure); a right one gives it back
 * as it uses the challenge ({@link consumeClaimedChallenge}).
 * @returns the slots claimed so far, this one included (MAX_CHALLENGE_FAILURES: this is the
 * last check the token allows), or null when the token is used, expired or dead.
 */
export async function claimChallengeCheck(
  db: Executor,
  input: { id: string; now: Date },
): Promise<number | null> {
  const [row] = await db
    .update(authChallenges)
    .set({ failures: sql`${authChallenges.failures} + 1` })
    .where(and(eq(authChallenges.id, input.id), usable(input.now)))
    .returning({ failures: authChallenges.failures });
  return row?.failures ?? null;
}

/** Gives a claimed check slot back unused (the request was refused before its code was checked). */
export async function releaseChallengeCheck(db: Executor, id: string): Promise<void> {
  await db
    .update(authChallenges)
    .set({ failures: sql`greatest(${authChallenges.failures} - 1, 0)` })
    .where(and(eq(authChallenges.id, id), isNull(authChallenges.usedAt)));
}

/**
 * Uses a challenge whose check slot the caller holds (its code was right): ONE conditional update
 * that marks it used and gives the slot back, so a right code at the last slot still wins.
 * @returns whether it was used now (false: another request used it, or it expired).
 */
export async function consumeClaimedChallenge(
  db: Executor,
  input: { id: string; now: Date },
): Promise<boolean> {
  const rows = await db
    .update(authChallenges)
    .set({ usedAt: input.now, failures: sql`greatest(${authChallenges.failures} - 1, 0)` })
    .where(
      and(
        eq(authChallenges.id, input.id),
        isNull(authChallenges.usedAt),
        gt(authChallenges.expiresAt, input.now),
      ),
    )
    .returning({ id: authChallenges.id });
  return rows.length > 0;
}

/**
 * Deletes a user's unused `mfa` challenges (the `mfa_token`s between a right password and its
 * second step): a new password, a log-off everywhere or an account taken back must not leave a
 * half-finished sign-in that still opens a session afterwards.
 */
export async function deletePendingSecondSteps(db: Executor, userId: number): Promise<void> {
  await db
    .delete(authChallenges)
    .where(
      and(
        eq(authChallenges.userId, userId),
        eq(authChallenges.purpose, 'mfa'),
        isNull(authChallenges.usedAt),
      ),
    );
}
