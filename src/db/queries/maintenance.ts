import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../client';
import { executeCount } from '../execute';

/** How many rows the flush removed, per table. */
export interface FlushResult {
  outstandingTokens: number;
  sessions: number;
  usedIdTokens: number;
  signInAttempts: number;
  mailTokens: number;
  authChallenges: number;
}

const BATCH = 5_000;

async function deleteInBatches(db: Database, statement: SQL): Promise<number> {
  let total = 0;
  // Small batches keep memory and lock time bounded however large the table has grown.
  for (;;) {
    const count = await executeCount(db, statement);
    total += count;
    if (count < BATCH) return total;
  }
}

/** Deletes the rows of `table` past their `expires_at`, selected by the table's key `key`. */
function deleteExpired(db: Database, table: string, key: string, now: Date): Promise<number> {
  const [t, k] = [sql.identifier(table), sql.identifier(key)];
  return deleteInBatches(
    db,
    sql`delete from ${t} where ${k} in (select ${k} from ${t} where expires_at < ${now} limit ${BATCH})`,
  );
}

/**
 * simplejwt's flushexpiredtokens: deletes expired outstanding tokens (their blacklist rows go with
 * them), sessions past their end with no token left, spent IdP id-token records and old throttle
 * windows, mailed tokens past their expiry (used or not), and expired second-step tokens and
 * passkey challenges (auth_challenges), in batches.
 */
export async function flushExpiredTokens(
  db: Database,
  now = new Date(),
  throttleWindowSeconds = 86_400,
): Promise<FlushResult> {
  const outstandingTokens = await deleteExpired(db, 'outstanding_tokens', 'id', now);
  const sessions = await deleteInBatches(
    db,
    sql`
    delete from sessions where sid in (
      select s.sid from sessions s
      where (s.expires_at < ${now} or s.revoked_at is not null)
        and not exists (select 1 from outstanding_tokens o where o.sid = s.sid)
      limit ${BATCH})`,
  );
  const usedIdTokens = await deleteExpired(db, 'used_id_tokens', 'token_hash', now);
  const cutoff = new Date(now.getTime() - throttleWindowSeconds * 1000);
  const signInAttempts = await deleteInBatches(
    db,
    sql`
    delete from sign_in_attempts where (scope, key) in (
      select scope, key from sign_in_attempts where window_started_at < ${cutoff} limit ${BATCH})`,
  );
  const mailTokens = await deleteExpired(db, 'mail_tokens', 'id', now);
  const authChallenges = await deleteExpired(db, 'auth_challenges', 'id', now);
  return { outstandingTokens, sessions, usedIdTokens, signInAttempts, mailTokens, authChallenges };
}
