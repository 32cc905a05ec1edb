import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../client';
import { queryRows } from '../execute';

/**
 * Revokes the live sessions (refresh families) that `which` selects and blacklists every
 * outstanding token in them, in one transaction of two statements. The first marks the sessions
 * revoked, taking their rows' locks, which a rotation holds while it runs (consumeRefreshToken):
 * it waits for a rotation in flight, and any rotation after it sees the session revoked. The
 * second runs on a fresh snapshot (read committed), so it also sees the successor a rotation
 * committed while the first waited: no token of a revoked session is left off the blacklist.
 * `on conflict do nothing`: a token may already be blacklisted (rotated before, or reused).
 * @returns the revoked session ids.
 */
async function revokeSessionsWhere(db: Database, which: SQL): Promise<string[]> {
  return db.transaction(async (tx) => {
    const revoked = await queryRows<{ sid: string }>(
      tx,
      sql`update sessions set revoked_at = clock_timestamp() where revoked_at is null and ${which} returning sid`,
    );
    const sids = revoked.map((row) => row.sid);
    if (sids.length === 0) return sids;
    await queryRows(
      tx,
      sql`
      insert into blacklisted_tokens (token_id, blacklisted_at)
      select o.id, clock_timestamp() from outstanding_tokens o
      where o.sid in (${sql.join(
        sids.map((sid) => sql`${sid}::uuid`),
        sql`, `,
      )})
      on conflict (token_id) do nothing`,
    );
    return sids;
  });
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
