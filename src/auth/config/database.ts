import { join } from 'node:path';
import type { ParsedEnv } from './env-schema';
import { fail } from './errors';
import type { DatabaseSettings } from './types';

/**
 * Where the data lives: embedded PGlite under the data directory unless DATABASE_URL is set; a
 * Neon URL (`*.neon.tech`) takes the Neon driver, any other postgres:// URL node-postgres.
 * DATABASE_DRIVER forces one.
 */
export function resolveDatabase(env: ParsedEnv, dataDir: string): DatabaseSettings {
  const driver = env.databaseDriver;
  const timeout = env.databaseTimeout === undefined ? {} : { timeoutSeconds: env.databaseTimeout };
  if (driver === 'pglite' || (!driver && !env.databaseUrl))
    return { driver: 'pglite', dataDir: join(dataDir, 'pglite'), ...timeout };
  const url = env.databaseUrl ?? fail(`DATABASE_DRIVER=${driver} needs DATABASE_URL`);
  return {
    driver: driver ?? (new URL(url).hostname.endsWith('.neon.tech') ? 'neon' : 'pg'),
    url,
    ...timeout,
  };
}
