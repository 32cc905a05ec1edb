import { sql } from 'drizzle-orm';
import type { User } from '../schema';

/** The users columns, qualified by alias `u`, for raw statements that return a user with other data. */
export const USER_COLUMNS = sql.raw(
  'u.id as u_id, u.username as u_username, u.username_canonical as u_username_canonical, ' +
    'u.username_skeleton as u_username_skeleton, u.email as u_email, u.email_canonical as u_email_canonical, ' +
    'u.email_verified as u_email_verified, u.self_registered as u_self_registered, u.password as u_password, u.first_name as u_first_name, ' +
    'u.last_name as u_last_name, u.is_active as u_is_active, u.is_staff as u_is_staff, u.is_superuser as u_is_superuser, ' +
    'u.date_joined as u_date_joined, u.last_login as u_last_login',
);

const toDate = (value: unknown) =>
  value === null || value === undefined ? null : new Date(value as string);

/** Maps the `u_*` columns of a raw row back to a {@link User}. */
export function mapUserRow(row: Record<string, unknown>): User {
  return {
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
}
