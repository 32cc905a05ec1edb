import { and, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import type { Database } from '../client';
import { queryRows } from '../execute';
import { MAIL_TOKEN_PURPOSES, mailTokens, users, type MailTokenPurpose } from '../schema';

/** A Drizzle handle or a transaction on one. */
type Executor = Pick<Database, 'select' | 'insert' | 'update' | 'delete' | 'execute'>;

/** A mailed token as stored (never the token itself: only its hash). */
export interface StoredMailToken {
  id: number;
  userId: number;
  purpose: MailTokenPurpose;
  /** The address the link was mailed to (for `change_email`, the new address). */
  email: string;
  createdAt: Date;
  expiresAt: Date;
}

/**
 * Stores a new mailed token for a user and deletes the user's older tokens of the same purpose
 * (a new link supersedes the earlier ones), in one transaction that first locks the user's row:
 * two requests for the same user at once leave exactly one live token, and a token is never
 * issued for a user being deleted.
 * @returns false when the user no longer exists (nothing stored).
 */
export async function issueMailToken(
  db: Database,
  values: {
    userId: number;
    purpose: MailTokenPurpose;
    tokenHash: string;
    email: string;
    now: Date;
    expiresAt: Date;
  },
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const locked = await queryRows(
      tx,
      sql`select id from users where id = ${values.userId} for update`,
    );
    if (locked.length === 0) return false;
    await tx
      .delete(mailTokens)
      .where(and(eq(mailTokens.userId, values.userId), eq(mailTokens.purpose, values.purpose)));
    await tx.insert(mailTokens).values({
      userId: values.userId,
      purpose: values.purpose,
      tokenHash: values.tokenHash,
      email: values.email,
      createdAt: values.now,
      expiresAt: values.expiresAt,
    });
    return true;
  });
}

const toStored = (row: typeof mailTokens.$inferSelect): StoredMailToken => ({
  id: row.id,
  userId: row.userId,
  purpose: row.purpose,
  email: row.email,
  createdAt: row.createdAt,
  expiresAt: row.expiresAt,
});

/** What a token lookup names: the token's hash, the purposes it may be of, and the instant. */
interface TokenLookup {
  tokenHash: string;
  purposes: readonly MailTokenPurpose[];
  now: Date;
}

/** The token of `tokenHash`, unused, unexpired at `now` and of one of `purposes`. */
const isLive = ({ tokenHash, purposes, now }: TokenLookup) =>
  and(
    eq(mailTokens.tokenHash, tokenHash),
    isNull(mailTokens.usedAt),
    gt(mailTokens.expiresAt, now),
    inArray(mailTokens.purpose, [...purposes]),
  );

/**
 * A live token (unused, unexpired at `now`, of one of `purposes`) by hash, without using it: the
 * password-reset confirmation checks the new password first, so a refused password leaves the
 * link usable.
 */
export async function findLiveMailToken(
  db: Executor,
  input: TokenLookup,
): Promise<StoredMailToken | null> {
  const [row] = await db.select().from(mailTokens).where(isLive(input)).limit(1);
  return row ? toStored(row) : null;
}

/**
 * Uses a token: ONE conditional update (`used_at` set only where it is still null and the token
 * unexpired), so two requests racing with one link can never both succeed. Run it inside the
 * transaction that makes the change the link stands for, so a failed change leaves it unused.
 * @returns the token, or null when it is unknown, used, superseded, expired or of another purpose.
 */
export async function spendMailToken(
  db: Executor,
  input: TokenLookup,
): Promise<StoredMailToken | null> {
  const [row] = await db
    .update(mailTokens)
    .set({ usedAt: input.now })
    .where(isLive(input))
    .returning();
  return row ? toStored(row) : null;
}

/**
 * Deletes a user's unused tokens of the given purposes (every purpose when none is named): a new
 * password ends every link mailed before it, and a used e-mail change ends the links that went to
 * the old address.
 */
export async function deleteMailTokens(
  db: Executor,
  userId: number,
  purposes: readonly MailTokenPurpose[] = MAIL_TOKEN_PURPOSES,
): Promise<void> {
  await db
    .delete(mailTokens)
    .where(
      and(
        eq(mailTokens.userId, userId),
        isNull(mailTokens.usedAt),
        inArray(mailTokens.purpose, [...purposes]),
      ),
    );
}

/**
 * Takes a transaction-scoped advisory lock on a canonical address, so that the checks "no account
 * has this address yet" and the change that takes it (a sign-up, an e-mail change) run one at a
 * time for one address. The users table has no unique constraint on addresses (Django's has none,
 * and imported tables may repeat one), so this lock is what keeps new duplicates out.
 */
export async function lockAddress(db: Pick<Database, 'execute'>, canonical: string): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtext(${`email:${canonical}`}))`);
}

/** The users whose address has this canonical form, oldest first (Django allows several). */
export function findUsersByAddress(db: Executor, canonical: string) {
  return db
    .select()
    .from(users)
    .where(eq(users.emailCanonical, canonical))
    .orderBy(users.id)
    .limit(20);
}
