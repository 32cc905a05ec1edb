import { asc, eq, sql } from 'drizzle-orm';
import type { Database } from '../client';
import { users, type NewUser, type User } from '../schema';

/** Finds a user by exact username (Django's usernames are case-sensitive). */
export async function findUserByUsername(db: Database, username: string): Promise<User | null> {
  const [user] = await db.select().from(users).where(eq(users.username, username)).limit(1);
  return user ?? null;
}

/** Finds a user by id. */
export async function findUserById(db: Database, id: number): Promise<User | null> {
  const [user] = await db.select().from(users).where(eq(users.id, id)).limit(1);
  return user ?? null;
}

/**
 * A new user row with its derived columns spelled out, so no insert can leave them to chance: the
 * services fill them with `usernameColumns()` / `emailColumns()` (src/auth/identity).
 */
export type NewUserRow = NewUser &
  Required<
    Pick<NewUser, 'usernameCanonical' | 'usernameSkeleton' | 'emailCanonical' | 'emailVerified'>
  >;

/** Inserts a user and returns the stored row. */
export async function insertUser(db: Database, values: NewUserRow): Promise<User> {
  const [user] = await db.insert(users).values(values).returning();
  if (!user) throw new Error('insert returned no row');
  return user;
}

/** Updates some of a user's fields and returns the stored row, or null when there is no such user. */
export async function updateUser(
  db: Database,
  id: number,
  values: Partial<NewUser>,
): Promise<User | null> {
  const [user] = await db.update(users).set(values).where(eq(users.id, id)).returning();
  return user ?? null;
}

/**
 * Deletes a user; the foreign keys take their identities, sessions and tokens with them.
 * @returns whether there was such a user.
 */
export async function deleteUserById(db: Database, id: number): Promise<boolean> {
  const deleted = await db.delete(users).where(eq(users.id, id)).returning({ id: users.id });
  return deleted.length > 0;
}

/** Lists users by id, a page at a time. */
export function listUsers(db: Database, { limit = 1000, offset = 0 } = {}): Promise<User[]> {
  return db.select().from(users).orderBy(asc(users.id)).limit(limit).offset(offset);
}

/**
 * Inserts users keeping their ids and password hashes (an import from Django); rows whose id,
 * username or canonical username (the same name in another case) is taken are skipped, the first
 * of the file winning. Moves the id sequence past the highest id.
 * @returns how many rows were inserted.
 */
export async function importUsers(
  db: Database,
  rows: (NewUserRow & { id: number })[],
): Promise<number> {
  return db.transaction(async (tx) => {
    let inserted = 0;
    for (let i = 0; i < rows.length; i += 500) {
      const batch = rows.slice(i, i + 500);
      const result = await tx
        .insert(users)
        .values(batch)
        .onConflictDoNothing()
        .returning({ id: users.id });
      inserted += result.length;
    }
    await tx.execute(
      sql`select setval(pg_get_serial_sequence('users', 'id'), greatest((select max(id) from users), 1))`,
    );
    return inserted;
  });
}
