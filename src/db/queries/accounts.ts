import { sql } from 'drizzle-orm';
import type { Database } from '../client';
import { queryRows } from '../execute';
import type { StoredRefreshToken } from './tokens';

const toDate = (value: unknown) => new Date(value as string);

/**
 * Gives a live session a new refresh token, as a rotation does, without the old token in hand (a
 * password change answers with new tokens for the caller's session, which it knows by the access
 * token's `sid`). In ONE statement: locks the session row (only if it is live and the user's),
 * marks its live token rotated into the new one and blacklists it, inserts the successor (never
 * past the session's absolute end) and touches the session. The old token then behaves exactly
 * as after a refresh: within the grace window it answers with the successor, after it a
 * presentation is reuse.
 * @returns the successor, or null when the session is not live.
 */
export async function reissueSessionToken(
  db: Pick<Database, 'execute'>,
  input: { sid: string; userId: number; newJti: string; now: Date; newExpiresAt: Date },
): Promise<StoredRefreshToken | null> {
  const [row] = await queryRows(
    db,
    sql`
    with live as materialized (
      select sid, expires_at, auth_time, amr from sessions
      where sid = ${input.sid}::uuid and user_id = ${input.userId}
        and revoked_at is null and expires_at > ${input.now}
      for update
    ), retired as (
      update outstanding_tokens o set rotated_at = clock_timestamp(), replaced_by_jti = ${input.newJti}
      from live s where o.sid = s.sid and o.rotated_at is null
      returning o.id
    ), blacklisted as (
      insert into blacklisted_tokens (token_id, blacklisted_at)
      select id, clock_timestamp() from retired
      on conflict (token_id) do nothing
    ), successor as (
      insert into outstanding_tokens (jti, user_id, sid, created_at, expires_at)
      select ${input.newJti}, ${input.userId}, sid, ${input.now}, least(${input.newExpiresAt}::timestamptz, expires_at) from live
      returning sid, jti, created_at, expires_at
    ), touched as (
      update sessions set last_used_at = ${input.now} where sid in (select sid from live)
    )
    select n.sid, n.jti, n.created_at, n.expires_at, l.auth_time, l.amr
    from successor n join live l on l.sid = n.sid`,
  );
  if (!row) return null;
  return {
    jti: String(row.jti),
    sid: String(row.sid),
    createdAt: toDate(row.created_at),
    expiresAt: toDate(row.expires_at),
    authTime: toDate(row.auth_time),
    amr: Array.isArray(row.amr) ? row.amr.map(String) : [],
  };
}

/**
 * Deletes a user and everything of theirs the kit keeps, in ONE transaction: mailed tokens, IdP
 * identities, roles, refresh tokens (with their blacklist rows), sessions, then the user row. If
 * any step fails (a table of the app still refers to the user), nothing at all is deleted and the
 * sessions stay as they were: no half-deleted account.
 * @returns whether there was such a user.
 */
export async function deleteUserAndData(db: Database, userId: number): Promise<boolean> {
  return db.transaction(async (tx) => {
    const locked = await queryRows(tx, sql`select id from users where id = ${userId} for update`);
    if (locked.length === 0) return false;
    await tx.execute(sql`delete from mail_tokens where user_id = ${userId}`);
    await tx.execute(sql`delete from identities where user_id = ${userId}`);
    await tx.execute(sql`delete from user_groups where user_id = ${userId}`);
    await tx.execute(sql`delete from outstanding_tokens where user_id = ${userId}`);
    await tx.execute(sql`delete from sessions where user_id = ${userId}`);
    await tx.execute(sql`delete from users where id = ${userId}`);
    return true;
  });
}

/** A user's IdP identities as the account page lists them (issuer and the address it gave). */
export async function listIdentities(
  db: Database,
  userId: number,
): Promise<{ provider: string; email: string }[]> {
  const rows = await queryRows<{ provider: string; email: string }>(
    db,
    sql`select provider, email from identities where user_id = ${userId} order by id`,
  );
  return rows.map((row) => ({ provider: String(row.provider), email: String(row.email) }));
}
