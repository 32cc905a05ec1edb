import { join } from 'node:path';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { DatabaseSettings } from '@/auth/config/types';
import * as schema from './schema';
import { registerPreparedRunner } from './execute';

/** The one Drizzle database type the kit's queries are written against, whatever the driver. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

/** An open database and how to close it. */
export interface DatabaseHandle {
  db: Database;
  driver: DatabaseSettings['driver'];
  /** Applies the committed migrations in `drizzle/`. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

/** Where the generated SQL migrations live (`drizzle/` at the project root). */
export const MIGRATIONS_FOLDER = join(process.cwd(), 'drizzle');

const POOL_OPTIONS = { max: 10, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 30_000 };

function logPoolError(error: Error) {
  // An idle client losing its connection must not crash the server; the next query reports it.
  console.error(
    JSON.stringify({ level: 'warn', msg: 'database connection lost', error: error.message }),
  );
}

async function openPglite(dataDir: string): Promise<DatabaseHandle> {
  const [{ openPgliteClient }, { drizzle }, { migrate }] = await Promise.all([
    import('./pglite'),
    import('drizzle-orm/pglite'),
    import('drizzle-orm/pglite/migrator'),
  ]);
  const { client, close } = await openPgliteClient(dataDir);
  const db = drizzle({ client, schema });
  registerPreparedRunner(
    db,
    async (_name, text, params) => (await client.query(text, params)).rows as never,
  );
  return {
    db: db as unknown as Database,
    driver: 'pglite',
    migrate: () => migrate(db, { migrationsFolder: MIGRATIONS_FOLDER }),
    close,
  };
}

/** What the node-postgres and Neon pools offer that the kit uses. */
interface ServerPool {
  on(event: 'error', listener: (error: Error) => void): unknown;
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
  end(): Promise<void>;
}

/** The handle of a pooled server database: the pool's error listener, named statements, close. */
function poolHandle<D extends object>(
  driver: 'pg' | 'neon',
  pool: ServerPool,
  db: D,
  migrate: (db: D) => Promise<void>,
): DatabaseHandle {
  pool.on('error', logPoolError);
  registerPreparedRunner(
    db,
    async (name, text, values) => (await pool.query({ name, text, values })).rows as never,
  );
  return {
    db: db as unknown as Database,
    driver,
    migrate: () => migrate(db),
    close: () => pool.end(),
  };
}

async function openPg(url: string): Promise<DatabaseHandle> {
  const [{ default: pg }, { drizzle }, { migrate }] = await Promise.all([
    import('pg'),
    import('drizzle-orm/node-postgres'),
    import('drizzle-orm/node-postgres/migrator'),
  ]);
  const pool = new pg.Pool({ connectionString: url, ...POOL_OPTIONS });
  const db = drizzle({ client: pool, schema });
  return poolHandle('pg', pool, db, (d) => migrate(d, { migrationsFolder: MIGRATIONS_FOLDER }));
}

async function openNeon(url: string): Promise<DatabaseHandle> {
  const [{ Pool, neonConfig }, { drizzle }, { migrate }, { default: ws }] = await Promise.all([
    import('@neondatabase/serverless'),
    import('drizzle-orm/neon-serverless'),
    import('drizzle-orm/neon-serverless/migrator'),
    import('ws'),
  ]);
  // Node 20 has no global WebSocket; Node 22+, Vercel and edge runtimes do.
  if (typeof WebSocket === 'undefined' && !neonConfig.webSocketConstructor)
    neonConfig.webSocketConstructor = ws;
  const pool = new Pool({ connectionString: url, ...POOL_OPTIONS });
  const db = drizzle({ client: pool, schema });
  return poolHandle('neon', pool, db, (d) => migrate(d, { migrationsFolder: MIGRATIONS_FOLDER }));
}

/**
 * Opens the configured database: embedded PGlite (migrated on first use), the Neon serverless
 * driver, or node-postgres.
 * @throws DatabaseLockedError when another process holds the embedded database.
 */
export async function openDatabase(settings: DatabaseSettings): Promise<DatabaseHandle> {
  if (settings.driver === 'pglite') {
    const handle = await openPglite(settings.dataDir);
    try {
      await handle.migrate();
    } catch (error) {
      await handle.close(); // never leave the directory open and locked after a failed migration
      throw error;
    }
    return handle;
  }
  return settings.driver === 'neon' ? openNeon(settings.url) : openPg(settings.url);
}
