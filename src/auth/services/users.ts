import { z } from 'zod';
import type { Database } from '@/db/client';
import type { User } from '@/db/schema';
import {
  deleteUserById,
  findUserByUsername,
  importUsers,
  insertUser,
  updateUser,
} from '@/db/queries/users';
import { removeSecondFactors, type RemovedFactors } from '@/db/queries/mfa';
import { revokeUserSessions } from '@/db/queries/sessions';
import { isForeignKeyViolation, isUniqueViolation } from '@/db/errors';
import { canonicalUsername, emailColumns, normalizeUsername, usernameColumns } from '../identity';
import {
  deleteUsernameReservation,
  findReservationByCanonical,
} from '@/db/queries/username-reservations';
import { hashPassword } from '../passwords';
import { inDjangoNames, inRowNames } from '../config/user-fields';
import { UserCommandError } from '../errors';
import { passwordText } from '../passwords/text';
import { endAccountAccess, replacePassword } from '../accounts/credentials';

/** Django's UnicodeUsernameValidator: letters, digits and @/./+/-/_ only, at most 150. */
export const usernameSchema = z
  .string()
  .min(1, 'username may not be empty')
  .max(150, 'username may have at most 150 characters')
  .regex(/^[\p{L}\p{N}_.@+-]+$/u, 'username may contain only letters, digits and @/./+/-/_');

/**
 * Passwords the kit accepts: 8 to 4096 characters, counted in code points (Django's
 * MinimumLengthValidator idea), of well-formed Unicode.
 */
export const passwordSchema = passwordText('password').refine(
  (value) => [...value].length >= 8,
  'password must have at least 8 characters',
);

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success)
    throw new UserCommandError(result.error.issues.map((i) => i.message).join('; '));
  return result.data;
}

async function requireUser(db: Database, username: string): Promise<User> {
  const user = await findUserByUsername(db, username);
  if (!user) throw new UserCommandError(`no user named "${username}"`);
  return user;
}

/**
 * Creates a user with an Argon2id password hash. The username is NFKC-normalised (Django's
 * normalize_username) and must be unique case-insensitively; the address counts as verified for
 * e-mail linking only when the caller says so (`emailVerified`, the CLI's `--email-verified`).
 * @throws UserCommandError when the username is invalid or taken, or the password too short.
 */
export async function createUser(
  db: Database,
  input: {
    username: string;
    password: string | null;
    email?: string;
    emailVerified?: boolean;
    isStaff?: boolean;
    isSuperuser?: boolean;
  },
): Promise<User> {
  const username = parse(usernameSchema, normalizeUsername(input.username));
  const email = parse(
    z.union([z.literal(''), z.email('email is not a valid address')]),
    input.email ?? '',
  );
  const password =
    input.password === null ? null : await hashPassword(parse(passwordSchema, input.password));
  if (await findReservationByCanonical(db, canonicalUsername(username)))
    throw new UserCommandError(
      `the username "${username}" is reserved by a sign-up whose address already had an account (docs/accounts.md); free it with delete-user first`,
    );
  try {
    return await insertUser(db, {
      username,
      ...usernameColumns(username),
      ...emailColumns(email, Boolean(input.emailVerified)),
      password,
      isStaff: Boolean(input.isStaff || input.isSuperuser),
      isSuperuser: Boolean(input.isSuperuser),
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw new UserCommandError(
        `a user named "${username}" already exists (usernames are unique regardless of case)`,
      );
    throw error;
  }
}

/**
 * Sets a new password and, in the same transaction, ends everything the old one gave out: all the
 * user's sessions (docs/contract.md section 2: a new password revokes every other session; the
 * CLI has no session of its own), every pending mailed link and every pending second step, as a
 * password change or reset does (replacePassword): an operator taking an account back for its
 * owner must not leave a thief's e-mail change link working.
 */
export async function setUserPassword(
  db: Database,
  username: string,
  password: string,
): Promise<{ revokedSessions: number }> {
  const user = await requireUser(db, username);
  const hash = await hashPassword(parse(passwordSchema, password));
  const { revoked } = await db.transaction((tx) =>
    replacePassword(tx, { userId: user.id, password: hash }),
  );
  return { revokedSessions: revoked.length };
}

/**
 * Marks a user's address as verified (the CLI's `verify-email`): the account then signs in
 * although it was created by sign-up, and its address may link an IdP identity.
 * @throws UserCommandError when there is no such user, or the user has no address.
 */
export async function markEmailVerified(
  db: Database,
  username: string,
): Promise<{ email: string; alreadyVerified: boolean }> {
  const user = await requireUser(db, username);
  if (!user.email) throw new UserCommandError(`"${username}" has no e-mail address to verify`);
  if (!user.emailVerified) await updateUser(db, user.id, { emailVerified: true });
  return { email: user.email, alreadyVerified: user.emailVerified };
}

/**
 * Deactivates a user and, in the same transaction, revokes all their sessions and drops their
 * pending mailed links and second steps (endAccountAccess).
 */
export async function deactivateUser(
  db: Database,
  username: string,
): Promise<{ revokedSessions: number }> {
  const user = await requireUser(db, username);
  const revoked = await db.transaction(async (tx) => {
    await updateUser(tx, user.id, { isActive: false });
    return endAccountAccess(tx, user.id);
  });
  return { revokedSessions: revoked.length };
}

/**
 * Deletes a user for good. Their sessions are revoked first, so that if the delete is refused
 * (a table of the app refers to the user) they are at least signed out everywhere; the delete
 * then takes their identities, sessions and tokens with it. Access tokens already issued stay
 * valid until they expire (the access lifetime, 5 minutes by default), as after a deactivation.
 * @throws UserCommandError when there is no such user, or other rows still refer to it.
 */
export async function deleteUser(
  db: Database,
  username: string,
): Promise<{ id: number | null; revokedSessions: number }> {
  const user = await findUserByUsername(db, username);
  // No account, but a sign-up's reservation of the name (docs/accounts.md): freed.
  if (!user && (await deleteUsernameReservation(db, username)))
    return { id: null, revokedSessions: 0 };
  if (!user) throw new UserCommandError(`no user named "${username}"`);
  const revoked = await revokeUserSessions(db, user.id);
  try {
    await deleteUserById(db, user.id);
  } catch (error) {
    if (!isForeignKeyViolation(error)) throw error;
    throw new UserCommandError(
      `other rows still refer to "${username}"; their sessions are revoked, but the user stays: deactivate it instead (npm run auth -- deactivate ${username})`,
    );
  }
  return { id: user.id, revokedSessions: revoked.length };
}

/**
 * Removes a user's second factors for a support case (`npm run auth -- remove-second-factors`):
 * TOTP and the recovery codes, and with `passkeys` the passkeys too. The password and the sessions
 * stay; the next password sign-in asks for no second step.
 * @throws UserCommandError for an unknown user.
 */
export async function removeUserSecondFactors(
  db: Database,
  username: string,
  { passkeys = false }: { passkeys?: boolean } = {},
): Promise<RemovedFactors> {
  const user = await requireUser(db, username);
  return removeSecondFactors(db, { userId: user.id, passkeys });
}

/**
 * The auth_user columns `dumpdata` writes, keyed by the row field each fills; Django's names for
 * them (`first_name`, `is_staff`, ...) come from the table of user fields.
 */
const djangoColumns = inDjangoNames({
  email: z.string().max(254).optional().default(''),
  firstName: z.string().max(150).optional().default(''),
  lastName: z.string().max(150).optional().default(''),
  isActive: z.boolean().optional().default(true),
  isStaff: z.boolean().optional().default(false),
  isSuperuser: z.boolean().optional().default(false),
  dateJoined: z.iso.datetime({ offset: true, local: true }).optional(),
  lastLogin: z.iso.datetime({ offset: true, local: true }).nullable().optional(),
});

const djangoUser = z.object({
  model: z.literal('auth.user'),
  pk: z.number().int().positive(),
  fields: z.object({
    ...djangoColumns,
    username: usernameSchema,
    password: z.string().max(1024).nullable().optional(),
  }),
});

/**
 * Imports the output of Django's `manage.py dumpdata auth.user`, keeping ids, usernames and
 * password hashes so imported users sign in with their old passwords (upgraded to Argon2id on
 * first sign-in). Entries of other models are skipped; users whose id or username exists already
 * are skipped, and so is a username that differs from an existing or earlier one only in case
 * (Django allows `Bob` next to `bob`; the kit does not). Addresses count as unverified for e-mail
 * linking unless `emailsVerified` (the CLI's `--emails-verified`) says the Django side verified them.
 * @throws UserCommandError naming the first bad entry.
 */
export async function importDjangoUsers(
  db: Database,
  dump: unknown,
  { emailsVerified = false }: { emailsVerified?: boolean } = {},
): Promise<{ inserted: number; skipped: number; ignored: number }> {
  if (!Array.isArray(dump))
    throw new UserCommandError(
      'the file must hold a JSON array, as `manage.py dumpdata auth.user` writes',
    );
  const entries = dump.filter((entry) => (entry as { model?: unknown })?.model === 'auth.user');
  const rows = entries.map((entry, index) => {
    const result = djangoUser.safeParse(entry);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new UserCommandError(
        `entry ${index} (pk ${(entry as { pk?: unknown }).pk}): ${issue?.path.join('.')}: ${issue?.message}`,
      );
    }
    const { pk, fields } = result.data;
    const { username, password, ...columns } = fields;
    const { email, dateJoined, lastLogin, ...flags } = inRowNames(columns);
    return {
      id: pk,
      username,
      ...usernameColumns(username),
      ...emailColumns(email, emailsVerified),
      password: password || null,
      ...flags,
      dateJoined: dateJoined ? new Date(dateJoined) : new Date(),
      lastLogin: lastLogin ? new Date(lastLogin) : null,
    };
  });
  const inserted = await importUsers(db, rows);
  return { inserted, skipped: rows.length - inserted, ignored: dump.length - entries.length };
}
