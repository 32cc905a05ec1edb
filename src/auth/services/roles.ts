import { z } from 'zod';
import type { Database } from '@/db/client';
import { addUserToGroup, groupNamesOf, removeUserFromGroup } from '@/db/queries/groups';
import { groupsReadWith } from '@/db/queries/user-row';
import { findUserByUsername, updateUser } from '@/db/queries/users';
import type { User } from '@/db/schema';
import { UserCommandError } from '../errors';

/** A role (group) name: Django's auth_group.name length, no spaces or punctuation beyond _.:@+- */
export const roleSchema = z
  .string()
  .min(1, 'role may not be empty')
  .max(150, 'role may have at most 150 characters')
  .regex(/^[\p{L}\p{N}_.:@+-]+$/u, 'role may contain only letters, digits and _.:@+-');

// Not services/users.ts's lookup: that module loads the password hasher, and this one is imported
// by src/auth.config.ts, which every part of the kit (the proxy included) loads.
async function userNamed(db: Database, username: string): Promise<User> {
  const user = await findUserByUsername(db, username);
  if (!user) throw new UserCommandError(`no user named "${username}"`);
  return user;
}

function parseRole(role: string): string {
  const result = roleSchema.safeParse(role);
  if (!result.success)
    throw new UserCommandError(result.error.issues.map((i) => i.message).join('; '));
  return result.data;
}

/**
 * The template's `roles` claim: `admin` for a superuser, else `staff` for staff (Django's
 * flags), then the user's groups. Read at every sign-in and refresh, and by getCurrentUser().
 */
export async function rolesOf(db: Database, user: User): Promise<string[]> {
  const flags = user.isSuperuser ? ['admin'] : user.isStaff ? ['staff'] : [];
  // Refresh and getCurrentUser() read the groups with the user; other callers query them.
  const groups = groupsReadWith(user) ?? (await groupNamesOf(db, user.id));
  return [...new Set([...flags, ...groups])];
}

/**
 * Gives a user a role (puts them in the group, created if new).
 * @returns false when they had it already.
 * @throws UserCommandError for an unknown user or a bad role name.
 */
export async function grantRole(db: Database, username: string, role: string): Promise<boolean> {
  const name = parseRole(role);
  return addUserToGroup(db, (await userNamed(db, username)).id, name);
}

/** Takes a role away from a user. @returns false when they did not have it. */
export async function revokeRole(db: Database, username: string, role: string): Promise<boolean> {
  const name = parseRole(role);
  return removeUserFromGroup(db, (await userNamed(db, username)).id, name);
}

/** Sets or clears Django's `is_staff` flag (the `is_staff` claim and the `staff` role). */
export async function setStaff(db: Database, username: string, staff: boolean): Promise<void> {
  await updateUser(db, (await userNamed(db, username)).id, { isStaff: staff });
}
