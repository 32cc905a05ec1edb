import { sql } from 'drizzle-orm';
import type { Database } from '@/db/client';
import { queryRows } from '@/db/execute';
import { flushExpiredTokens } from '@/db/queries/maintenance';

const SEED_BATCH = 25_000;

/** Tops the outstanding-token table up to `total` rows for `userId`: half expired, half blacklisted. */
export async function seedTokens(db: Database, userId: number, total: number): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from outstanding_tokens where user_id = ${userId}`,
  );
  const have = Number(row?.n ?? 0);
  const missing = total - have;
  if (missing <= 0) return have;
  const sessionCount = Math.max(1, Math.ceil(missing / 100));
  await db.execute(sql`
    insert into sessions (sid, user_id, expires_at)
    select gen_random_uuid(), ${userId}, now() + interval '30 days' from generate_series(1, ${sessionCount})`);
  // Batches small enough to finish inside the database timeout (DATABASE_TIMEOUT, 5 s) on a slow
  // machine: one of 200,000 rows ran past it.
  for (let done = 0; done < missing; done += SEED_BATCH) {
    const batch = Math.min(SEED_BATCH, missing - done);
    await db.execute(sql`
      with s as (select sid, row_number() over () as rn from sessions where user_id = ${userId} order by created_at desc limit ${sessionCount}),
      t as (
        insert into outstanding_tokens (jti, user_id, sid, created_at, expires_at)
        select md5(random()::text || clock_timestamp()::text || i), ${userId}, s.sid, now(),
          now() + case when i % 2 = 0 then interval '1 day' else interval '-1 day' end
        from generate_series(1, ${batch}) i join s on s.rn = (i % ${sessionCount}) + 1
        returning id
      )
      insert into blacklisted_tokens (token_id) select id from t where id % 2 = 0`);
  }
  // VACUUM as well as ANALYZE: since PostgreSQL 13 a million inserted rows start an autovacuum
  // of the table, which would otherwise run on the same two cores during the measurement that
  // follows (a one-off after a bulk load, not a cost that grows with the table).
  await db.execute(sql`vacuum analyze outstanding_tokens`);
  await db.execute(sql`vacuum analyze blacklisted_tokens`);
  return total;
}

/** Runs flush-expired-tokens in this process and reports its duration and peak memory growth. */
export async function measureFlush(
  db: Database,
): Promise<{ deleted: number; seconds: number; peakRssGrowthMb: number }> {
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const start = Date.now();
  const result = await flushExpiredTokens(db);
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  return {
    deleted: result.outstandingTokens,
    seconds: (Date.now() - start) / 1000,
    peakRssGrowthMb: Math.round((peak - baseline) / 1048576),
  };
}
