import { emailColumns, usernameColumns } from '@/auth/identity';
import type { Database } from '@/db/client';
import { insertUser } from '@/db/queries/users';
import type { NewUser, User } from '@/db/schema';

/**
 * Inserts a user row straight into the database (no password rules, no hashing), with the
 * canonical username and e-mail columns computed as the kit computes them.
 */
export function insertTestUser(
  db: Database,
  username: string,
  values: Partial<Omit<NewUser, 'username'>> = {},
): Promise<User> {
  return insertUser(db, {
    ...usernameColumns(username),
    ...emailColumns(values.email ?? '', values.emailVerified ?? false),
    ...values,
    username,
  });
}
