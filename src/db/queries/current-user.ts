import { sql } from 'drizzle-orm';
import type { Database } from '../client';
import type { User } from '../schema';
import { queryPrepared } from '../execute';
import { mapUserRow, USER_COLUMNS } from './user-row';

interface SessionKey {
  sid: string;
  userId: number;
  now: Date;
}

/**
 * The one rule for a live session, shared by both readers below: the row by its primary key, of
 * that user, not revoked, not past its absolute end, and its user active.
 */
function liveSessionOf(input: SessionKey) {
  return sql`from sessions s join users u on u.id = s.user_id
    where s.sid = ${input.sid} and s.user_id = ${input.userId}
      and s.revoked_at is null and s.expires_at > ${input.now} and u.is_active`;
}

/** A live session with its user: what the server helpers check on every request. */
export interface LiveSession {
  sid: string;
  /** The sign-in that started the session, and how (`auth_time`, `amr`). */
  authTime: Date;
  amr: string[];
  user: User;
}

/**
 * The session `sid` of user `userId`, if it is live (not revoked, not past its absolute end) and
 * its user is active: ONE read, by the sessions primary key joined to the users primary key.
 * Log-off, log-off everywhere, a revoked session, a new password and deactivation set
 * `revoked_at`; deleting the user deletes the row: each ends the session here at once.
 */
export async function findLiveSession(
  db: Database,
  input: SessionKey,
): Promise<LiveSession | null> {
  const [row] = await queryPrepared(
    db,
    'kit_live_session',
    sql`
    select s.sid, s.auth_time, s.amr, ${USER_COLUMNS} ${liveSessionOf(input)}`,
  );
  if (!row) return null;
  return {
    sid: String(row.sid),
    authTime: new Date(row.auth_time as string),
    amr: Array.isArray(row.amr) ? row.amr.map(String) : [],
    user: mapUserRow(row),
  };
}

/**
 * Whether session `sid` of user `userId` is live and its user active: {@link findLiveSession}'s
 * rule, answering only yes or no (`withAuth({ live: true })` on every request needs no more).
 */
export async function sessionIsLive(db: Database, input: SessionKey): Promise<boolean> {
  const rows = await queryPrepared(
    db,
    'kit_session_is_live',
    sql`
    select 1 as live ${liveSessionOf(input)}`,
  );
  return rows.length > 0;
}
