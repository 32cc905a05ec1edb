import { sql } from 'drizzle-orm';
import type { Database } from '../client';
import type { User } from '../schema';
import { queryPrepared } from '../execute';
import { mapUserRow, USER_COLUMNS } from './user-row';

// The refresh tokens of a session as stored (outstanding_tokens, blacklisted_tokens): their
// rotation and their state. Starting, listing and revoking sessions is sessions.ts.

/** A refresh token as stored: enough to re-sign it (same `jti`, `iat` and `exp`). */
export interface StoredRefreshToken {
  jti: string;
  sid: string;
  createdAt: Date;
  expiresAt: Date;
  /** The session's sign-in time and methods, which its access tokens carry (`auth_time`, `amr`). */
  authTime: Date;
  amr: string[];
}

const toDate = (value: unknown) => new Date(value as string);
const toAmr = (value: unknown) => (Array.isArray(value) ? value.map(String) : []);

/** What consuming a refresh token gave: the successor and the current user, or nothing. */
export type Consumed = { successor: StoredRefreshToken; user: User } | null;

/**
 * Rotates a refresh token in ONE atomic statement: locks its session row (only if the session is
 * live), marks the token rotated (only if it is not rotated, blacklisted or expired, and its user
 * is active), inserts the successor (never past the session's absolute end), blacklists the old
 * token and touches the session.
 *
 * The session row is the lock every revocation takes too (revokeSessionsWhere in sessions.ts), so a rotation and
 * a revocation of one session are ordered: a rotation that waited for a revocation re-reads the
 * row, sees it revoked and rotates nothing (401); a revocation that waited for a rotation sees its
 * successor and blacklists it. Concurrent rotations, on any number of instances, see the token
 * rotated once. `rotated_at` is the database's clock_timestamp() at the update, moments before the
 * commit: the grace window counts from there, on one clock for every instance
 * (readRefreshTokenState), not from when a stalled caller took its `now`.
 * `validAt` is the instant expiry is judged at (now minus the leeway: see the tokens' verify.ts).
 */
export async function consumeRefreshToken(
  db: Database,
  input: {
    jti: string;
    newJti: string;
    now: Date;
    validAt: Date;
    newExpiresAt: Date;
    blacklist: boolean;
  },
): Promise<Consumed> {
  const [row] = await queryPrepared(
    db,
    'kit_consume_refresh_token',
    sql`
    with live_session as materialized (
      select s.sid, s.expires_at, s.auth_time, s.amr from sessions s join outstanding_tokens t on t.sid = s.sid
      where t.jti = ${input.jti} and s.revoked_at is null and s.expires_at > ${input.validAt}
      for update of s
    ), consumed as (
      update outstanding_tokens o set rotated_at = clock_timestamp(), replaced_by_jti = ${input.newJti}
      from live_session s, users u
      where o.jti = ${input.jti} and o.sid = s.sid and o.rotated_at is null
        and o.expires_at > ${input.validAt}
        and u.id = o.user_id and u.is_active
        and not exists (select 1 from blacklisted_tokens b where b.token_id = o.id)
      returning o.id, o.user_id, o.sid, s.expires_at as session_expires_at, s.auth_time, s.amr
    ), successor as (
      insert into outstanding_tokens (jti, user_id, sid, created_at, expires_at)
      select ${input.newJti}, user_id, sid, ${input.now}, least(${input.newExpiresAt}::timestamptz, session_expires_at) from consumed
      returning sid, jti, created_at, expires_at
    ), blacklisted as (
      insert into blacklisted_tokens (token_id, blacklisted_at)
      select id, clock_timestamp() from consumed where ${input.blacklist}
      on conflict (token_id) do nothing
    ), touched as (
      update sessions set last_used_at = ${input.now} where sid in (select sid from consumed)
    )
    select n.sid, n.jti, n.created_at, n.expires_at, c.auth_time, c.amr, ${USER_COLUMNS}
    from successor n join consumed c on c.sid = n.sid join users u on u.id = c.user_id`,
  );
  if (!row) return null;
  return {
    successor: {
      jti: String(row.jti),
      sid: String(row.sid),
      createdAt: toDate(row.created_at),
      expiresAt: toDate(row.expires_at),
      authTime: toDate(row.auth_time),
      amr: toAmr(row.amr),
    },
    user: mapUserRow(row),
  };
}

/** Everything needed to tell why a refresh token could not be consumed. */
export interface RefreshTokenState {
  sid: string;
  expired: boolean;
  rotated: boolean;
  /** Rotated no longer ago than the grace window, by the database's clock. */
  rotatedWithinGrace: boolean;
  blacklisted: boolean;
  sessionLive: boolean;
  /** The session's `auth_time` and `amr` (see {@link StoredRefreshToken}). */
  authTime: Date;
  amr: string[];
  user: User;
  /** The token it was rotated into, if that one is still live (not rotated, not blacklisted). */
  liveSuccessor: StoredRefreshToken | null;
}

/**
 * Reads a refresh token's state, its session, its user and its successor, in one query. Expiry is
 * judged at `validAt` (the app's clock, as the JWT's); the grace window against the database's
 * clock_timestamp(), the clock that stamped the rotation.
 */
export async function readRefreshTokenState(
  db: Database,
  input: { jti: string; validAt: Date; graceWindowSeconds: number },
): Promise<RefreshTokenState | null> {
  const { jti, validAt } = input;
  const [row] = await queryPrepared(
    db,
    'kit_refresh_token_state',
    sql`
    select o.sid, o.expires_at <= ${validAt} as expired, o.rotated_at is not null as rotated,
      (o.rotated_at >= clock_timestamp() - make_interval(secs => ${input.graceWindowSeconds}::double precision)) as rotated_within_grace,
      exists (select 1 from blacklisted_tokens b where b.token_id = o.id) as blacklisted,
      (s.revoked_at is null and s.expires_at > ${validAt}) as session_live, s.auth_time, s.amr,
      n.jti as next_jti, n.created_at as next_created_at, n.expires_at as next_expires_at,
      (n.id is not null and n.rotated_at is null and n.expires_at > ${validAt}
        and not exists (select 1 from blacklisted_tokens b where b.token_id = n.id)) as next_live,
      ${USER_COLUMNS}
    from outstanding_tokens o
    join sessions s on s.sid = o.sid
    join users u on u.id = o.user_id
    left join outstanding_tokens n on n.jti = o.replaced_by_jti
    where o.jti = ${jti}`,
  );
  if (!row) return null;
  return {
    sid: String(row.sid),
    expired: Boolean(row.expired),
    rotated: Boolean(row.rotated),
    rotatedWithinGrace: Boolean(row.rotated_within_grace),
    blacklisted: Boolean(row.blacklisted),
    sessionLive: Boolean(row.session_live),
    authTime: toDate(row.auth_time),
    amr: toAmr(row.amr),
    user: mapUserRow(row),
    liveSuccessor: row.next_live
      ? {
          jti: String(row.next_jti),
          sid: String(row.sid),
          createdAt: toDate(row.next_created_at),
          expiresAt: toDate(row.next_expires_at),
          authTime: toDate(row.auth_time),
          amr: toAmr(row.amr),
        }
      : null,
  };
}
