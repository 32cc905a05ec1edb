import { and, asc, eq, sql } from 'drizzle-orm';
import type { Database } from '../client';
import { identities, usedIdTokens, users, type User } from '../schema';

/** A Drizzle handle or a transaction on one. */
type Executor = Pick<Database, 'select' | 'insert' | 'update' | 'execute'>;

/** Remembers an IdP id token by hash; false when it was already exchanged (a replay). */
export async function rememberIdToken(
  db: Executor,
  tokenHash: string,
  expiresAt: Date,
): Promise<boolean> {
  const rows = await db
    .insert(usedIdTokens)
    .values({ tokenHash, expiresAt })
    .onConflictDoNothing()
    .returning({ tokenHash: usedIdTokens.tokenHash });
  return rows.length === 1;
}

/** The user linked to an IdP identity (issuer + subject), or null. */
export async function findUserByIdentity(
  db: Executor,
  provider: string,
  subject: string,
): Promise<User | null> {
  const [row] = await db
    .select({ user: users })
    .from(identities)
    .innerJoin(users, eq(users.id, identities.userId))
    .where(and(eq(identities.provider, provider), eq(identities.subject, subject)))
    .limit(1);
  return row?.user ?? null;
}

/** The oldest user with this email address, compared case-insensitively, or null. */
export async function findUserByEmail(db: Executor, email: string): Promise<User | null> {
  const [user] = await db
    .select()
    .from(users)
    .where(sql`lower(${users.email}) = lower(${email})`)
    .orderBy(asc(users.id))
    .limit(1);
  return user ?? null;
}

/** Tells whether a username is taken. */
export async function isUsernameTaken(db: Executor, username: string): Promise<boolean> {
  const rows = await db
    .select({ id: users.id })
    .from(users)
    .where(eq(users.username, username))
    .limit(1);
  return rows.length > 0;
}

/** Links a user to an IdP identity. */
export async function linkIdentity(
  db: Executor,
  values: { provider: string; subject: string; userId: number; email: string; now: Date },
): Promise<void> {
  await db.insert(identities).values({
    provider: values.provider,
    subject: values.subject,
    userId: values.userId,
    email: values.email,
    createdAt: values.now,
    lastLoginAt: values.now,
  });
}

/** Records a sign-in through an identity. */
export async function touchIdentity(
  db: Executor,
  provider: string,
  subject: string,
  now: Date,
): Promise<void> {
  await db
    .update(identities)
    .set({ lastLoginAt: now })
    .where(and(eq(identities.provider, provider), eq(identities.subject, subject)));
}
