import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../client';
import { queryRows } from '../execute';

/**
 * Revokes the live sessions (refresh families) that `which` selects and blacklists every
 * outstanding token in them, in one statement.
 * @returns the revoked session ids.
 */
async function revokeSessionsWhere(db: Database, which: SQL): Promise<string[]> {
  const rows = await queryRows<{ sid: string }>(
    db,
    sql`
    with revoked as (
      update sessions set revoked_at = now()
      where revoked_at is null and ${which}
      returning sid
    ), blacklisted as (
      insert into blacklisted_tokens (token_id)
      select o.id from outstanding_tokens o join revoked r on o.sid = r.sid
      on conflict (token_id) do nothing
    )
    select sid from revoked`,
  );
  return rows.map((row) => row.sid);
}

/** Revokes every session of a user, or all but `exceptSid`. @returns the revoked session ids. */
export function revokeUserSessions(
  db: Database,
  userId: number,
  exceptSid: string | null = null,
): Promise<string[]> {
  return revokeSessionsWhere(
    db,
    exceptSid ? sql`user_id = ${userId} and sid <> ${exceptSid}::uuid` : sql`user_id = ${userId}`,
  );
}

/** Revokes one session (only if it is `userId`'s, when given); false when already revoked or unknown. */
export async function revokeSession(
  db: Database,
  sid: string,
  userId: number | null = null,
): Promise<boolean> {
  const which =
    userId === null ? sql`sid = ${sid}::uuid` : sql`sid = ${sid}::uuid and user_id = ${userId}`;
  return (await revokeSessionsWhere(db, which)).length > 0;
}
