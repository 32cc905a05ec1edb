import { sql } from 'drizzle-orm';
import type { Database } from '../client';
import { queryRows } from '../execute';

/**
 * One stored password hash of each cost class in the users table (the hasher and its parameters:
 * the hash without salt and digest, as passwords/timing.ts's costClass), at most `limit`, so the
 * server can learn what its most expensive verification costs before anyone probes for it.
 * Reads the whole table once: meant for start-up, in the background.
 */
export async function oneHashOfEachCost(db: Database, limit = 16): Promise<string[]> {
  const rows = await queryRows<{ password: string }>(
    db,
    sql`
    select distinct on (cost) password from (
      select password, case
        when password like 'scrypt$%' then concat_ws('$',
          split_part(password, '$', 1), split_part(password, '$', 2),
          split_part(password, '$', 4), split_part(password, '$', 5))
        else regexp_replace(password, '[$][^$]*[$][^$]*$', '')
      end as cost
      from users
      where password like 'argon2$%' or password like 'pbkdf2%' or password like 'scrypt$%'
    ) as hashes
    order by cost
    limit ${limit}`,
  );
  return rows.map((row) => row.password);
}
