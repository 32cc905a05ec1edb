import { constants } from 'node:os';
import { assertMigrated, openDatabase, type DatabaseHandle } from './client';
import type { DatabaseSettings } from './types';

export type { DatabaseHandle } from './client';
export type { Database, DatabaseSettings } from './types';

const cache = globalThis as unknown as {
  __authKitDb?: Promise<DatabaseHandle>;
  __authKitShutdownHook?: true;
};

/** How long an exit waits for the database to close before it goes ahead anyway. */
const CLOSE_GRACE_MS = 5_000;

async function openMigrated(settings: DatabaseSettings): Promise<DatabaseHandle> {
  const handle = await openDatabase(settings);
  // PGlite was migrated as it was opened; a server database must have been migrated before.
  if (handle.driver === 'pglite') return handle;
  try {
    await assertMigrated(handle.db);
    return handle;
  } catch (error) {
    await handle.close().catch(() => {});
    throw error;
  }
}

/**
 * The process's one database handle, opened on first use and cached on `globalThis` so hot
 * reload in development opens no new pools (and every bundle of the Next server shares it).
 * `settings` are the configured ones (src/auth passes `config.database`): the first call opens
 * the database with them, later calls share that handle.
 * @throws DatabaseLockedError when another process holds the embedded database.
 * @throws PendingMigrationsError when a server database lacks migrations (`npm run db:migrate`).
 */
export function getDatabase(settings: DatabaseSettings): Promise<DatabaseHandle> {
  cache.__authKitDb ??= openMigrated(settings).catch((error: unknown) => {
    delete cache.__authKitDb;
    throw error;
  });
  return cache.__authKitDb;
}

/** Closes the cached database handle (CLI, tests, shutdown). */
export async function closeDatabase(): Promise<void> {
  const handle = cache.__authKitDb;
  delete cache.__authKitDb;
  if (handle) await (await handle.catch(() => null))?.close();
}

/**
 * Closes the database once when the server is told to stop (SIGTERM, SIGINT), so PGlite shuts
 * down cleanly (no recovery at the next start) and the pool says goodbye to PostgreSQL. Next's
 * own handler first drains the requests in flight and then calls `process.exit`, which would cut
 * an asynchronous close short: from the signal on, that exit waits for the close (at most
 * CLOSE_GRACE_MS). With no other handler for the signal (NEXT_MANUAL_SIG_HANDLE, a custom server
 * that leaves signals alone), the kit exits itself after the close, as the signal would have.
 */
export function closeDatabaseOnShutdown(): void {
  if (cache.__authKitShutdownHook) return;
  cache.__authKitShutdownHook = true;
  const onSignal = (signal: NodeJS.Signals) => {
    const exit = process.exit.bind(process);
    let closed: Promise<unknown> | undefined;
    process.exit = ((code?: number | string | null) => {
      closed ??= Promise.race([
        closeDatabase().catch(() => {}),
        new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref()),
      ]);
      void closed.then(() => exit(code));
    }) as typeof process.exit;
    if (process.listenerCount(signal) === 0) process.exit(128 + constants.signals[signal]);
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
