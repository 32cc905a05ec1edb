import type { SQL } from 'drizzle-orm';
import type { Database } from './client';

/** Runs raw SQL and returns its rows: every driver's result has `rows` (typed per driver). */
export async function queryRows<T extends Record<string, unknown>>(
  db: Pick<Database, 'execute'>,
  query: SQL,
): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/** Runs raw SQL and returns how many rows it changed (node-postgres and Neon: rowCount; PGlite: affectedRows). */
export async function executeCount(db: Pick<Database, 'execute'>, query: SQL): Promise<number> {
  const result = (await db.execute(query)) as unknown as {
    rowCount?: number | null;
    affectedRows?: number;
  };
  return result.rowCount ?? result.affectedRows ?? 0;
}
