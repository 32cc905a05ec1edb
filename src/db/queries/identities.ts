import { and, asc, eq, or } from 'drizzle-orm';
import type { Database } from '../client';
import { identities, usedIdTokens, usernameReservations, users, type User } from '../schema';

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

/**
 * The oldest user whose own verified address has this canonical form, or null. Only the kit's
 * code computes `email_canonical` (never SQL `lower()`, whose Unicode folding maps `İ` to `i`).
 */
export async function findVerifiedUserByEmail(
  db: Executor,
  emailCanonical: string,
): Promise<User | null> {
  const [user] = await db
    .select()
    .from(users)
    .where(and(eq(users.emailCanonical, emailCanonical), eq(users.emailVerified, true)))
    .orderBy(asc(users.id))
    .limit(1);
  return user ?? null;
}

/**
 * Tells whether a username would duplicate an existing one (the same canonical form) or look
 * like one (the same confusable skeleton), among the users and the usernames sign-ups reserved.
 */
export async function isUsernameConfusable(
  db: Executor,
  { usernameCanonical, usernameSkeleton }: { usernameCanonical: string; usernameSkeleton: string },
): Promise<boolean> {
  const rows = await db
    .select({ id: users.id })
    .from(users)
    .where(
      or(
        eq(users.usernameCanonical, usernameCanonical),
        eq(users.usernameSkeleton, usernameSkeleton),
      ),
    )
    .limit(1);
  if (rows.length > 0) return true;
  // A name a sign-up with a taken address holds counts as taken, as its account would.
  const reserved = await db
    .select({ id: usernameReservations.id })
    .from(usernameReservations)
    .where(
      or(
        eq(usernameReservations.usernameCanonical, usernameCanonical),
        eq(usernameReservations.usernameSkeleton, usernameSkeleton),
      ),
    )
    .limit(1);
  return reserved.length > 0;
}

/** Links a user to an IdP identity. */
export async function linkIdentity(
  db: Executor,
  values: {
    provider: string;
    subject: string;
    userId: number;
    email: string;
    emailVerified: boolean;
    now: Date;
  },
): Promise<void> {
  await db.insert(identities).values({
    provider: values.provider,
    subject: values.subject,
    userId: values.userId,
    email: values.email,
    emailVerified: values.emailVerified,
    createdAt: values.now,
    lastLoginAt: values.now,
  });
}

/** Records a sign-in through an identity, with the address the IdP gives now. */
export async function touchIdentity(
  db: Executor,
  provider: string,
  subject: string,
  { email, emailVerified, now }: { email: string; emailVerified: boolean; now: Date },
): Promise<void> {
  await db
    .update(identities)
    .set({ lastLoginAt: now, email, emailVerified })
    .where(and(eq(identities.provider, provider), eq(identities.subject, subject)));
}
