import { sql } from 'drizzle-orm';
import type { Database } from '../client';
import { queryRows } from '../execute';

/**
 * Revokes sessions (refresh families) and blacklists every outstanding token in them, in one
 * statement: either the user's every session, or all but `exceptSid`.
 * @returns the revoked session ids.
 */
export async function revokeUserSessions(
  db: Database,
  userId: number,
  exceptSid: string | null = null,
): Promise<string[]> {
  const rows = await queryRows<{ sid: string }>(
    db,
    sql`
    with revoked as (
      update sessions set revoked_at = now()
      where user_id = ${userId} and revoked_at is null
        and (${exceptSid}::uuid is null or sid <> ${exceptSid}::uuid)
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
