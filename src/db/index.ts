import { getAuthConfig } from '@/auth/config';
import { openDatabase, type DatabaseHandle } from './client';

export type { Database, DatabaseHandle } from './client';

const cache = globalThis as unknown as { __authKitDb?: Promise<DatabaseHandle> };

/**
 * The process's one database handle, opened on first use and cached on `globalThis` so hot
 * reload in development opens no new pools.
 * @throws DatabaseLockedError when another process holds the embedded database.
 */
export function getDatabase(): Promise<DatabaseHandle> {
  cache.__authKitDb ??= getAuthConfig()
    .then((config) => openDatabase(config.database))
    .catch((error: unknown) => {
      delete cache.__authKitDb;
      throw error;
    });
  return cache.__authKitDb;
}

/** Closes the cached database handle (CLI and tests). */
export async function closeDatabase(): Promise<void> {
  const handle = cache.__authKitDb;
  delete cache.__authKitDb;
  if (handle) await (await handle).close();
}
