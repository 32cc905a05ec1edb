import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../client';
import { queryPrepared, queryRows } from '../execute';

// A session is a refresh family: every refresh token descending from one sign-in shares its `sid`.
// Its rows live here, from the start to the revocation. The token rows of a family (rotation,
// the blacklist) are tokens.ts; a rotation takes the session row's lock, as a revocation here does.

const toDate = (value: unknown) => new Date(value as string);

/**
 * Starts a refresh family at sign-in in one statement: the session row, its first outstanding
 * token, and the user's `last_login`.
 */
export async function startSession(
  db: Database,
  input: {
    sid: string;
    userId: number;
    jti: string;
    now: Date;
    tokenExpiresAt: Date;
    sessionExpiresAt: Date;
    userAgent: string;
    ipAddress: string;
    authTime: Date;
    amr: readonly string[];
  },
): Promise<void> {
  await queryPrepared(
    db,
    'kit_start_session',
    sql`
    with session as (
      insert into sessions (sid, user_id, created_at, last_used_at, expires_at, user_agent, ip_address, auth_time, amr)
      values (${input.sid}, ${input.userId}, ${input.now}, ${input.now}, ${input.sessionExpiresAt}, ${input.userAgent}, ${input.ipAddress}, ${input.authTime}, ${`{${input.amr.join(',')}}`}::text[])
      returning sid
    ), token as (
      insert into outstanding_tokens (jti, user_id, sid, created_at, expires_at)
      select ${input.jti}, ${input.userId}, sid, ${input.now}, ${input.tokenExpiresAt} from session
    )
    update users set last_login = ${input.now} where id = ${input.userId}`,
  );
}

/** Tells whether a session exists and is the user's. */
export async function sessionBelongsTo(
  db: Database,
  sid: string,
  userId: number,
): Promise<boolean> {
  const rows = await queryRows(
    db,
    sql`select 1 from sessions where sid = ${sid} and user_id = ${userId}`,
  );
  return rows.length > 0;
}

/** A user's live sessions, newest first, for the session-management endpoints. */
export async function listLiveSessions(db: Database, userId: number, now: Date) {
  const rows = await queryRows(
    db,
    sql`
    select sid, created_at, last_used_at, user_agent, ip_address from sessions
    where user_id = ${userId} and revoked_at is null and expires_at > ${now}
      and exists (select 1 from outstanding_tokens o where o.sid = sessions.sid and o.expires_at > ${now} and o.rotated_at is null)
    order by last_used_at desc limit 100`,
  );
  return rows.map((r) => ({
    sid: String(r.sid),
    createdAt: toDate(r.created_at),
    lastUsedAt: toDate(r.last_used_at),
    userAgent: String(r.user_agent),
    ipAddress: String(r.ip_address),
  }));
}

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

/**
 * Records a re-authentication (docs/contract.md section 9): the session's `auth_time` becomes
 * `authTime` and its methods `amr`, only while it is live and the user's.
 * @returns false when the session has ended.
 */
export async function reauthenticateSession(
  db: Pick<Database, 'execute'>,
  input: { sid: string; userId: number; authTime: Date; amr: readonly string[]; now: Date },
): Promise<boolean> {
  const rows = await queryRows(
    db,
    sql`
    update sessions set auth_time = ${input.authTime}, amr = ${`{${input.amr.join(',')}}`}::text[]
    where sid = ${input.sid}::uuid and user_id = ${input.userId}
      and revoked_at is null and expires_at > ${input.now}
    returning sid`,
  );
  return rows.length > 0;
}
