import { and, desc, eq, lt } from 'drizzle-orm';
import type { Database } from '../client';
import { passkeys, users, type Passkey, type User } from '../schema';

// A user's passkeys (WebAuthn credentials): only public keys and counters, never a secret.

/** A Drizzle handle or a transaction on one. */
type Executor = Pick<Database, 'select' | 'insert' | 'update' | 'delete' | 'execute'>;

/** The user's passkeys, newest first. */
export async function listPasskeys(db: Executor, userId: number): Promise<Passkey[]> {
  return db
    .select()
    .from(passkeys)
    .where(eq(passkeys.userId, userId))
    .orderBy(desc(passkeys.createdAt), passkeys.id);
}

/**
 * Stores a newly registered passkey.
 * @throws the database's unique violation when the credential id is registered already.
 */
export async function insertPasskey(
  db: Executor,
  values: {
    id: string;
    userId: number;
    publicKey: Uint8Array;
    counter: number;
    transports: string[];
    name: string;
    backedUp: boolean;
    now: Date;
  },
): Promise<Passkey> {
  const { now, ...rest } = values;
  const [row] = await db
    .insert(passkeys)
    .values({ ...rest, createdAt: now })
    .returning();
  if (!row) throw new Error('insert returned no row');
  return row;
}

/** The passkey with this credential id and its user, or null. */
export async function findPasskeyWithUser(
  db: Executor,
  id: string,
): Promise<{ passkey: Passkey; user: User } | null> {
  const [row] = await db
    .select({ passkey: passkeys, user: users })
    .from(passkeys)
    .innerJoin(users, eq(users.id, passkeys.userId))
    .where(eq(passkeys.id, id));
  return row ?? null;
}

/**
 * Records a sign-in with a passkey: the new signature counter and the time, in ONE conditional
 * update that holds the counter rule against a concurrent use of the same response: a counting
 * authenticator's counter must increase; one that keeps none reports 0, stored as 0.
 * @returns false when the counter did not increase (a replay or a cloned authenticator).
 */
export async function recordPasskeyUse(
  db: Executor,
  input: { id: string; counter: number; backedUp: boolean; now: Date },
): Promise<boolean> {
  const rows = await db
    .update(passkeys)
    .set({ counter: input.counter, backedUp: input.backedUp, lastUsedAt: input.now })
    .where(
      and(
        eq(passkeys.id, input.id),
        input.counter === 0 ? eq(passkeys.counter, 0) : lt(passkeys.counter, input.counter),
      ),
    )
    .returning({ id: passkeys.id });
  return rows.length > 0;
}

/**
 * Deletes one of the user's passkeys.
 * @returns the deleted passkey, or null when it is not one of the user's.
 */
export async function deletePasskey(
  db: Executor,
  input: { id: string; userId: number },
): Promise<Passkey | null> {
  const [row] = await db
    .delete(passkeys)
    .where(and(eq(passkeys.id, input.id), eq(passkeys.userId, input.userId)))
    .returning();
  return row ?? null;
}
