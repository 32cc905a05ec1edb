import { and, eq, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import type { Database } from '../client';
import { queryRows } from '../execute';
import { authChallenges, passkeys, recoveryCodes, totpFactors, type TotpFactor } from '../schema';

// A user's TOTP factor and recovery codes (docs/contract.md section 9). Every "use" is one
// conditional update, so one code wins once however many requests race with it.

/** A Drizzle handle or a transaction on one. */
type Executor = Pick<Database, 'select' | 'insert' | 'update' | 'delete' | 'execute'>;

/**
 * The user's TOTP factor (pending or confirmed), or null. `lock` (inside a transaction) holds
 * the row until the commit, so a concurrent turn-off waits.
 */
export async function findTotpFactor(
  db: Executor,
  userId: number,
  { lock = false } = {},
): Promise<TotpFactor | null> {
  const query = db.select().from(totpFactors).where(eq(totpFactors.userId, userId));
  const [row] = lock ? await query.for('update') : await query;
  return row ?? null;
}

/**
 * Stores a new pending secret for the user, replacing an earlier pending one (a setup started
 * again), in one statement that never touches a confirmed factor.
 * @returns false when the user already has TOTP on.
 */
export async function startTotpSetup(
  db: Executor,
  input: { userId: number; secretEnc: string; now: Date },
): Promise<boolean> {
  const rows = await db
    .insert(totpFactors)
    .values({ userId: input.userId, secretEnc: input.secretEnc, createdAt: input.now })
    .onConflictDoUpdate({
      target: totpFactors.userId,
      set: { secretEnc: input.secretEnc, lastUsedStep: null, createdAt: input.now },
      setWhere: isNull(totpFactors.confirmedAt),
    })
    .returning({ userId: totpFactors.userId });
  return rows.length > 0;
}

/** A step not yet used: the guard of every accepted code. */
const unusedStep = (step: number) =>
  or(isNull(totpFactors.lastUsedStep), lt(totpFactors.lastUsedStep, step));

/**
 * Turns a pending factor on with the code of `step` (which is then used) and gives the user a
 * fresh set of recovery codes, in one transaction, only while the pending secret is still
 * `secretEnc`, the one the code was matched against: a setup restarted meanwhile (another tab)
 * replaced it, and turning that one on would leave the user with an app that makes wrong codes.
 * @returns false when there was no pending factor, it was replaced, or the step was used
 * meanwhile (nothing changed).
 */
export async function confirmTotpFactor(
  db: Database,
  input: {
    userId: number;
    secretEnc: string;
    step: number;
    now: Date;
    codeHashes: readonly string[];
  },
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const confirmed = await tx
      .update(totpFactors)
      .set({ confirmedAt: input.now, lastUsedStep: input.step })
      .where(
        and(
          eq(totpFactors.userId, input.userId),
          eq(totpFactors.secretEnc, input.secretEnc),
          isNull(totpFactors.confirmedAt),
          unusedStep(input.step),
        ),
      )
      .returning({ userId: totpFactors.userId });
    if (confirmed.length === 0) return false;
    await replaceRecoveryCodes(tx, input);
    return true;
  });
}

/**
 * Marks `step` used for the user's confirmed factor, only if it is later than the last one used.
 * @returns false for a replay (the step, or a later one, was used already) or no factor.
 */
export async function useTotpStep(
  db: Executor,
  input: { userId: number; step: number },
): Promise<boolean> {
  const rows = await db
    .update(totpFactors)
    .set({ lastUsedStep: input.step })
    .where(
      and(
        eq(totpFactors.userId, input.userId),
        isNotNull(totpFactors.confirmedAt),
        unusedStep(input.step),
      ),
    )
    .returning({ userId: totpFactors.userId });
  return rows.length > 0;
}

/**
 * Turns TOTP off: the factor (pending or confirmed) and every recovery code, in one transaction.
 * @returns whether the user had a confirmed factor.
 */
export async function deleteTotpFactor(db: Database, userId: number): Promise<boolean> {
  return db.transaction(async (tx) => {
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
    const deleted = await tx
      .delete(totpFactors)
      .where(eq(totpFactors.userId, userId))
      .returning({ confirmedAt: totpFactors.confirmedAt });
    return deleted.some((row) => row.confirmedAt !== null);
  });
}

/** What {@link removeSecondFactors} removed. */
export interface RemovedFactors {
  /** Whether the user had a TOTP factor (confirmed or pending). */
  totp: boolean;
  recoveryCodes: number;
  /** Passkeys removed (0 when they were kept). */
  passkeys: number;
  /** Passkeys the user still has. */
  passkeysKept: number;
}

/**
 * An operator's removal of a user's second factors (the CLI, for a support case), in one
 * transaction: the TOTP factor, every recovery code, the second-step tokens already issued (so
 * none is finished with a factor enrolled next), and with `passkeys` every passkey.
 */
export async function removeSecondFactors(
  db: Database,
  input: { userId: number; passkeys: boolean },
): Promise<RemovedFactors> {
  return db.transaction(async (tx) => {
    const codes = await tx
      .delete(recoveryCodes)
      .where(eq(recoveryCodes.userId, input.userId))
      .returning({ id: recoveryCodes.id });
    const totp = await tx
      .delete(totpFactors)
      .where(eq(totpFactors.userId, input.userId))
      .returning({ userId: totpFactors.userId });
    await tx
      .delete(authChallenges)
      .where(and(eq(authChallenges.userId, input.userId), eq(authChallenges.purpose, 'mfa')));
    const removed = input.passkeys
      ? await tx
          .delete(passkeys)
          .where(eq(passkeys.userId, input.userId))
          .returning({ id: passkeys.id })
      : [];
    const kept = await tx
      .select({ id: passkeys.id })
      .from(passkeys)
      .where(eq(passkeys.userId, input.userId));
    return {
      totp: totp.length > 0,
      recoveryCodes: codes.length,
      passkeys: removed.length,
      passkeysKept: kept.length,
    };
  });
}

/** Replaces the user's recovery codes (used or not) with new ones, given by hash. */
export async function replaceRecoveryCodes(
  db: Executor,
  input: { userId: number; codeHashes: readonly string[]; now: Date },
): Promise<void> {
  await db.delete(recoveryCodes).where(eq(recoveryCodes.userId, input.userId));
  if (input.codeHashes.length === 0) return;
  await db.insert(recoveryCodes).values(
    input.codeHashes.map((codeHash) => ({
      userId: input.userId,
      codeHash,
      createdAt: input.now,
    })),
  );
}

/**
 * Uses one of the user's recovery codes, found by its hash: ONE conditional update, so a code
 * works once.
 * @returns false for a wrong, used or another user's code.
 */
export async function useRecoveryCode(
  db: Executor,
  input: { userId: number; codeHash: string; now: Date },
): Promise<boolean> {
  const rows = await db
    .update(recoveryCodes)
    .set({ usedAt: input.now })
    .where(
      and(
        eq(recoveryCodes.userId, input.userId),
        eq(recoveryCodes.codeHash, input.codeHash),
        isNull(recoveryCodes.usedAt),
      ),
    )
    .returning({ id: recoveryCodes.id });
  return rows.length > 0;
}

/** What the account page shows of a user's second factors: one read. */
export interface MfaSummary {
  totp: boolean;
  passkeys: number;
  recoveryCodesLeft: number;
}

/** Whether TOTP is on, how many passkeys the user has and how many recovery codes are unused. */
export async function mfaSummary(db: Executor, userId: number): Promise<MfaSummary> {
  const [row] = await queryRows<{ totp: boolean; passkeys: number; codes: number }>(
    db,
    sql`
    select
      exists (select 1 from totp_factors where user_id = ${userId} and confirmed_at is not null) as totp,
      (select count(*)::int from passkeys where user_id = ${userId}) as passkeys,
      (select count(*)::int from recovery_codes where user_id = ${userId} and used_at is null) as codes`,
  );
  return {
    totp: row?.totp === true,
    passkeys: Number(row?.passkeys ?? 0),
    recoveryCodesLeft: Number(row?.codes ?? 0),
  };
}
