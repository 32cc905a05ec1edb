import { eq, sql } from 'drizzle-orm';
import type { Database } from '../client';
import { usernameReservations, type UsernameReservation } from '../schema';

// Usernames held by sign-ups whose address already had an account (docs/accounts.md, "No
// enumeration, and why"): the name looks as taken as the unverified account a free address would
// have made, and never signs in.

/** A Drizzle handle or a transaction on one. */
type Executor = Pick<Database, 'select' | 'insert' | 'delete' | 'execute'>;

/**
 * Takes a transaction-scoped advisory lock on a username's confusable skeleton (every spelling
 * that counts as the same name shares it), so that "is the name free?" and the row that takes it
 * (an account or a reservation, two tables no one index spans) run one at a time per name. Taken
 * after the address lock, never before, so two sign-ups cannot deadlock.
 */
export async function lockUsername(db: Pick<Database, 'execute'>, skeleton: string): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtext(${`username:${skeleton}`}))`);
}

/** Stores a reservation (inside the sign-up's transaction, under the username lock). */
export async function insertUsernameReservation(
  db: Executor,
  values: {
    username: string;
    usernameCanonical: string;
    usernameSkeleton: string;
    password: string;
    emailCanonical: string;
  },
): Promise<void> {
  await db.insert(usernameReservations).values(values);
}

/** The reservation of exactly this username (sign-in matches names exactly), or null. */
export async function findUsernameReservation(
  db: Executor,
  username: string,
): Promise<UsernameReservation | null> {
  const [row] = await db
    .select()
    .from(usernameReservations)
    .where(eq(usernameReservations.username, username))
    .limit(1);
  return row ?? null;
}

/** The reservation whose canonical name is this one (the CLI's case-insensitive check), or null. */
export async function findReservationByCanonical(
  db: Executor,
  usernameCanonical: string,
): Promise<UsernameReservation | null> {
  const [row] = await db
    .select()
    .from(usernameReservations)
    .where(eq(usernameReservations.usernameCanonical, usernameCanonical))
    .limit(1);
  return row ?? null;
}

/**
 * Frees a reserved username (an operator's support case, `npm run auth -- delete-user`).
 * @returns whether there was one.
 */
export async function deleteUsernameReservation(db: Executor, username: string): Promise<boolean> {
  const rows = await db
    .delete(usernameReservations)
    .where(eq(usernameReservations.username, username))
    .returning({ id: usernameReservations.id });
  return rows.length > 0;
}
