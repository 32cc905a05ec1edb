import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { log, UNCONFIGURED } from '@/log';
import journal from '../../drizzle/meta/_journal.json';
import * as schema from './schema';
import { queryRows, registerPreparedRunner } from './execute';
import type { Database, DatabaseSettings } from './types';

export type { Database, DatabaseSettings } from './types';

/** An open database and how to close it. */
export interface DatabaseHandle {
  db: Database;
  driver: DatabaseSettings['driver'];
  /** Applies the committed migrations in `drizzle/`. */
  migrate(): Promise<void>;
  /** Closes the pool or the embedded database; later calls wait for the same close. */
  close(): Promise<void>;
}

/** The database lacks migrations this build has: `npm run db:migrate` has not been run. */
export class PendingMigrationsError extends Error {
  override name = 'PendingMigrationsError';
}

/** Where the generated SQL migrations live (`drizzle/` at the project root). */
export const MIGRATIONS_FOLDER = join(process.cwd(), 'drizzle');

/** How long a statement, a reply or a new connection may take unless DATABASE_TIMEOUT says otherwise. */
export const DEFAULT_DATABASE_TIMEOUT_SECONDS = 5;

/**
 * The options both pools share. The client-side deadlines turn a stalled network (no reply, no
 * error) into an error, and so into a prompt 503, instead of holding the request for as long as
 * the stall lasts: `connectionTimeoutMillis` bounds opening a connection and waiting for a free
 * one, `query_timeout` bounds waiting for a reply. The reply deadline is a second longer than the
 * server's `statement_timeout` (node-postgres), so a merely slow statement is cancelled by the
 * server, which keeps the connection, rather than abandoned by the client, which drops it.
 */
function poolOptions(url: string, timeoutMs: number) {
  return {
    connectionString: url,
    max: 10,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs + 1_000,
  };
}

/** Runs `close` once, however often the returned function is called. */
function once(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => (closing ??= close());
}

function logPoolError(error: Error) {
  // An idle client losing its connection must not crash the server; the next query reports it.
  log(UNCONFIGURED, 'warn', 'database connection lost', { error: error.message });
}

/**
 * The embedded database, run in a worker thread (pglite-host.ts): Drizzle's PGlite driver and the
 * migrator talk to the host as they would to PGlite itself.
 */
async function openPglite(
  dataDir: string,
  timeoutSeconds = DEFAULT_DATABASE_TIMEOUT_SECONDS,
): Promise<DatabaseHandle> {
  const [{ PgliteHost }, { drizzle }, { migrate }] = await Promise.all([
    import('./pglite-host'),
    import('drizzle-orm/pglite'),
    import('drizzle-orm/pglite/migrator'),
  ]);
  const host = await PgliteHost.open(dataDir, Math.round(timeoutSeconds * 1000));
  // The host has PGlite's query() and transaction(), the two calls Drizzle's driver makes.
  const db = drizzle({ client: host as unknown as PGlite, schema });
  registerPreparedRunner(
    db,
    async (name, text, params) => (await host.prepared(name, text, params)).rows as never,
  );
  return {
    db: db as unknown as Database,
    driver: 'pglite',
    migrate: () => migrate(db, { migrationsFolder: MIGRATIONS_FOLDER }),
    close: once(() => host.close()),
  };
}

/** What the node-postgres and Neon pools offer that the kit uses. */
interface ServerPool {
  on(event: 'error', listener: (error: Error) => void): unknown;
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
  connect: unknown;
  end(): Promise<void>;
}

/** A connection checked out of a pool (a transaction's), as far as the kit handles it. */
interface CheckedOutClient {
  query(...args: unknown[]): unknown;
  release(error?: Error | boolean): void;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
}

/** node-postgres's (and Neon's) error for a statement past its reply deadline (query_timeout). */
const REPLY_DEADLINE_PASSED = /query read timeout/i;

/**
 * Watches one checkout of a connection (Drizzle's `transaction` takes one and gives it back with a
 * plain release()). A statement past its reply deadline leaves the connection waiting for that
 * reply, inside the transaction: the ROLLBACK queues behind it and waits out a deadline of its
 * own, and the connection would go back to the pool still in the transaction, so that the next
 * request's statements would run in it and be lost with it (Neon sets no server-side limit that
 * would end it). pool.query() already drops a connection whose statement failed; here, a
 * connection whose statement passed its deadline is closed at once (pg's end() destroys the
 * socket while a statement is unanswered: the ROLLBACK fails now, and the server rolls back a
 * transaction whose connection is gone) and leaves the pool. A connection lost while checked out
 * ('error') leaves it too, and its error is not left to crash the process.
 */
function watchCheckout(client: CheckedOutClient): CheckedOutClient {
  let broken: Error | undefined;
  const { query, release } = client;
  const ownQuery = Object.prototype.hasOwnProperty.call(client, 'query');
  const onError = (error: Error) => {
    broken ??= error;
  };
  client.on('error', onError);
  client.query = (...args: unknown[]) => {
    const result = query.apply(client, args);
    if (result instanceof Promise)
      result.catch((error: unknown) => {
        if (broken || !(error instanceof Error) || !REPLY_DEADLINE_PASSED.test(error.message))
          return;
        broken = error;
        client.end().catch(() => {});
      });
    return result;
  };
  client.release = (error) => {
    if (ownQuery) client.query = query;
    else delete (client as Partial<CheckedOutClient>).query; // the prototype's again
    client.off('error', onError);
    release.call(client, error ?? broken);
  };
  return client;
}

/** Makes every promise-style checkout of `pool` a watched one (watchCheckout). */
function watchCheckouts(pool: ServerPool): void {
  const connect = (pool.connect as (callback?: unknown) => unknown).bind(pool);
  // pool.query() checks out with a callback, and releases a failed connection itself.
  pool.connect = (callback?: unknown) =>
    callback ? connect(callback) : (connect() as Promise<CheckedOutClient>).then(watchCheckout);
}

/** The handle of a pooled server database: the pool's error listener, named statements, close. */
function poolHandle<D extends object>(
  driver: 'pg' | 'neon',
  pool: ServerPool,
  db: D,
  migrate: (db: D) => Promise<void>,
): DatabaseHandle {
  pool.on('error', logPoolError);
  watchCheckouts(pool);
  registerPreparedRunner(
    db,
    async (name, text, values) => (await pool.query({ name, text, values })).rows as never,
  );
  return {
    db: db as unknown as Database,
    driver,
    migrate: () => migrate(db),
    close: once(() => pool.end()),
  };
}

async function openPg(
  url: string,
  timeoutSeconds = DEFAULT_DATABASE_TIMEOUT_SECONDS,
): Promise<DatabaseHandle> {
  const [{ default: pg }, { drizzle }, { migrate }] = await Promise.all([
    import('pg'),
    import('drizzle-orm/node-postgres'),
    import('drizzle-orm/node-postgres/migrator'),
  ]);
  const timeoutMs = Math.round(timeoutSeconds * 1000);
  const pool = new pg.Pool({
    ...poolOptions(url, timeoutMs),
    // Server-side limits as start-up parameters: a statement running past the timeout is
    // cancelled, a session left idle inside a transaction (its client gone) is ended and its row
    // locks freed, and TCP keep-alives notice a peer that vanished. Neon's pooler (PgBouncer)
    // refuses such start-up parameters, so the Neon pool relies on the client-side deadlines.
    statement_timeout: timeoutMs,
    idle_in_transaction_session_timeout: timeoutMs,
    keepAlive: true,
  });
  const db = drizzle({ client: pool, schema });
  return poolHandle('pg', pool, db, (d) => migrate(d, { migrationsFolder: MIGRATIONS_FOLDER }));
}

async function openNeon(
  url: string,
  timeoutSeconds = DEFAULT_DATABASE_TIMEOUT_SECONDS,
): Promise<DatabaseHandle> {
  const [{ Pool, neonConfig }, { drizzle }, { migrate }, { default: ws }] = await Promise.all([
    import('@neondatabase/serverless'),
    import('drizzle-orm/neon-serverless'),
    import('drizzle-orm/neon-serverless/migrator'),
    import('ws'),
  ]);
  // Node 20 has no global WebSocket; Node 22+, Vercel and edge runtimes do.
  if (typeof WebSocket === 'undefined' && !neonConfig.webSocketConstructor)
    neonConfig.webSocketConstructor = ws;
  const pool = new Pool(poolOptions(url, Math.round(timeoutSeconds * 1000)));
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
    const handle = await openPglite(settings.dataDir, settings.timeoutSeconds);
    try {
      await handle.migrate();
    } catch (error) {
      await handle.close(); // never leave the directory open and locked after a failed migration
      throw error;
    }
    return handle;
  }
  return settings.driver === 'neon'
    ? openNeon(settings.url, settings.timeoutSeconds)
    : openPg(settings.url, settings.timeoutSeconds);
}

/**
 * The committed migrations (`drizzle/meta/_journal.json`, built into the server) that the database
 * has not applied, by tag: those newer than the newest row of Drizzle's migrations table, which is
 * the rule Drizzle's migrator applies them by.
 */
export async function pendingMigrations(db: Database): Promise<string[]> {
  const [table] = await queryRows<{ present: boolean }>(
    db,
    sql`select to_regclass('drizzle.__drizzle_migrations') is not null as present`,
  );
  let newest = -Infinity;
  if (table?.present) {
    const [row] = await queryRows<{ newest: string | number | null }>(
      db,
      sql`select max(created_at) as newest from drizzle.__drizzle_migrations`,
    );
    if (row?.newest != null) newest = Number(row.newest);
  }
  return journal.entries.filter((entry) => entry.when > newest).map((entry) => entry.tag);
}

/**
 * Stops with a message naming the fix when the database lacks migrations (a server database:
 * PGlite is migrated as it is opened). Without it the server would start and answer every
 * request with `relation "users" does not exist`.
 * @throws PendingMigrationsError listing the migrations not applied yet.
 */
export async function assertMigrated(db: Database): Promise<void> {
  const pending = await pendingMigrations(db);
  if (pending.length === 0) return;
  throw new PendingMigrationsError(
    `The database has ${pending.length} migration(s) not applied yet (${pending.join(', ')}): ` +
      'run `npm run db:migrate` with the same DATABASE_URL, then start again.',
  );
}
