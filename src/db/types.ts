import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type * as schema from './schema';

/** The one Drizzle database type the kit's queries are written against, whatever the driver. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

/**
 * Where the data lives (docs/contract.md section 5, DATABASE_URL / DATABASE_DRIVER). Either may
 * carry `timeoutSeconds` (DATABASE_TIMEOUT): how long a statement or a reply may take. The
 * configuration (src/auth/config) resolves it and hands it down: the database layer reads no
 * configuration of its own.
 */
export type DatabaseSettings =
  | { driver: 'pglite'; dataDir: string; timeoutSeconds?: number }
  | { driver: 'neon' | 'pg'; url: string; timeoutSeconds?: number };
