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
  const outstandingTokens = await deleteInBatches(
    db,
    sql`
    delete from outstanding_tokens where id in (
      select id from outstanding_tokens where expires_at < ${now} limit ${BATCH})`,
  );
  const sessions = await deleteInBatches(
    db,
    sql`
    delete from sessions where sid in (
      select s.sid from sessions s
      where (s.expires_at < ${now} or s.revoked_at is not null)
        and not exists (select 1 from outstanding_tokens o where o.sid = s.sid)
      limit ${BATCH})`,
  );
  const usedIdTokens = await deleteInBatches(
    db,
    sql`
    delete from used_id_tokens where token_hash in (
      select token_hash from used_id_tokens where expires_at < ${now} limit ${BATCH})`,
  );
  const cutoff = new Date(now.getTime() - throttleWindowSeconds * 1000);
  const signInAttempts = await deleteInBatches(
    db,
    sql`
    delete from sign_in_attempts where (scope, key) in (
      select scope, key from sign_in_attempts where window_started_at < ${cutoff} limit ${BATCH})`,
  );
  const mailTokens = await deleteInBatches(
    db,
    sql`
    delete from mail_tokens where id in (
      select id from mail_tokens where expires_at < ${now} limit ${BATCH})`,
  );
  const authChallenges = await deleteInBatches(
    db,
    sql`
    delete from auth_challenges where id in (
      select id from auth_challenges where expires_at < ${now} limit ${BATCH})`,
  );
  return { outstandingTokens, sessions, usedIdTokens, signInAttempts, mailTokens, authChallenges };
}
