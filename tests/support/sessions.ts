/** Sessions and their refresh tokens, read straight from the database. */
import { sql } from 'drizzle-orm';
import type { Database } from '@/db/client';
import { queryRows } from '@/db/execute';

/** One session of {@link sessionStates}: revoked or not, and how many tokens it has off the blacklist. */
export interface SessionState {
  sid: string;
  revoked: boolean;
  /** Outstanding tokens of the session with no blacklist entry: usable, unless expired. */
  unlisted: number;
}

/** The state of each of `sids` (sessions without any token are left out). */
export function sessionStates(db: Database, sids: string[]): Promise<SessionState[]> {
  return queryRows<SessionState & Record<string, unknown>>(
    db,
    sql`
    select s.sid, s.revoked_at is not null as revoked,
      count(o.id) filter (where not exists (
        select 1 from blacklisted_tokens b where b.token_id = o.id))::int as unlisted
    from sessions s join outstanding_tokens o on o.sid = s.sid
    where s.sid in (${sql.join(
      sids.map((sid) => sql`${sid}::uuid`),
      sql`, `,
    )})
    group by s.sid`,
  );
}
