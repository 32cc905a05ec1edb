import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Database } from './types';

type Rows = Record<string, unknown>[];

/** Runs a named statement on a database's own client: `(name, text, params) => rows`. */
export type PreparedRunner = (name: string, text: string, params: unknown[]) => Promise<Rows>;

const dialect = new PgDialect();

/**
 * Where a database object keeps its runner: on the object itself, under a registered symbol. A
 * module-level map would not do: inside the Next server the database is opened by the
 * instrumentation bundle, and each route bundle has its own copy of this module (and its map).
 */
const RUNNER = Symbol.for('auth-kit.prepared-runner');

/** Tells queryPrepared() how to reach `db`'s client (client.ts, when a database is opened). */
export function registerPreparedRunner(db: object, runner: PreparedRunner): void {
  Object.defineProperty(db, RUNNER, { value: runner });
}

/** Runs raw SQL and returns its rows: every driver's result has `rows` (typed per driver). */
export async function queryRows<T extends Record<string, unknown>>(
  db: Pick<Database, 'execute'>,
  query: SQL,
): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/**
 * Runs raw SQL for the hot paths (refresh, verify, sign-in) as a named prepared statement:
 * node-postgres and Neon parse and plan it once per connection and then only bind values, and so
 * does PGlite's worker thread (pglite-worker.ts, over the extended protocol); none goes through
 * the ORM's per-query wrapping. `name` must always go with the same SQL text. Inside a transaction (`tx`)
 * there is no runner, and the query goes through `execute` as any other.
 */
export async function queryPrepared<T extends Record<string, unknown>>(
  db: Pick<Database, 'execute'>,
  name: string,
  query: SQL,
): Promise<T[]> {
  const run = (db as { [RUNNER]?: PreparedRunner })[RUNNER];
  if (!run) return queryRows<T>(db, query);
  const { sql, params } = dialect.sqlToQuery(query);
  // An instant goes as ISO 8601 text, which the server reads for its timestamptz parameter as it
  // reads the driver's own rendering: node-postgres renders a Date in the local zone field by
  // field, a few µs for each of the four a refresh binds.
  const values = params.map((value) => (value instanceof Date ? value.toISOString() : value));
  return (await run(name, sql, values)) as T[];
}

/** Runs raw SQL and returns how many rows it changed (node-postgres and Neon: rowCount; PGlite: affectedRows). */
export async function executeCount(db: Pick<Database, 'execute'>, query: SQL): Promise<number> {
  const result = (await db.execute(query)) as unknown as {
    rowCount?: number | null;
    affectedRows?: number;
  };
  return result.rowCount ?? result.affectedRows ?? 0;
}
