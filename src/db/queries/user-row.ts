import { sql } from 'drizzle-orm';
import type { User } from '../schema';

/** The users columns, qualified by alias `u`, for raw statements that return a user with other data. */
export const USER_COLUMNS = sql.raw(
  'u.id as u_id, u.username as u_username, u.username_canonical as u_username_canonical, ' +
    'u.username_skeleton as u_username_skeleton, u.email as u_email, u.email_canonical as u_email_canonical, ' +
    'u.email_verified as u_email_verified, u.self_registered as u_self_registered, u.password as u_password, u.first_name as u_first_name, ' +
    'u.last_name as u_last_name, u.is_active as u_is_active, u.is_staff as u_is_staff, u.is_superuser as u_is_superuser, ' +
    'u.date_joined as u_date_joined, u.last_login as u_last_login, ' +
    // The user's group names, sorted, in the same statement: the template's `roles` claim needs
    // them at every refresh and getCurrentUser(), and a second statement costs a round trip.
    'array(select g.name from user_groups ug join groups g on g.id = ug.group_id ' +
    'where ug.user_id = u.id order by g.name) as u_groups',
);

/**
 * Where a user read by one of these statements keeps its group names: a registered symbol, not a
 * field (the object stays a plain {@link User}, and `serializeUser` or a spread never sees it),
 * nor a module-level map (each route bundle of the Next server has its own copy of this module).
 */
const GROUPS = Symbol.for('auth-kit.user-groups');

/** The group names read with `user` (sorted), or undefined when it was read without them. */
export function groupsReadWith(user: User): string[] | undefined {
  return (user as { [GROUPS]?: string[] })[GROUPS];
}

const toDate = (value: unknown) =>
  value === null || value === undefined ? null : new Date(value as string);

/** Maps the `u_*` columns of a raw row back to a {@link User}. */
export function mapUserRow(row: Record<string, unknown>): User {
  const user: User = {
    id: Number(row.u_id),
    username: String(row.u_username),
    usernameCanonical: String(row.u_username_canonical),
    usernameSkeleton: (row.u_username_skeleton as string | null) ?? null,
    email: String(row.u_email),
    emailCanonical: (row.u_email_canonical as string | null) ?? null,
    emailVerified: Boolean(row.u_email_verified),
    selfRegistered: Boolean(row.u_self_registered),
    password: (row.u_password as string | null) ?? null,
    firstName: String(row.u_first_name),
    lastName: String(row.u_last_name),
    isActive: Boolean(row.u_is_active),
    isStaff: Boolean(row.u_is_staff),
    isSuperuser: Boolean(row.u_is_superuser),
    dateJoined: toDate(row.u_date_joined) ?? new Date(0),
    lastLogin: toDate(row.u_last_login),
  };
  if (Array.isArray(row.u_groups))
    Object.defineProperty(user, GROUPS, { value: row.u_groups.map(String) });
  return user;
}
