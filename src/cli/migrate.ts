import { getAuthConfig } from '@/auth/config';
import type { DatabaseSettings } from '@/db/types';
import { openDatabase } from '@/db/client';
import { describeError } from '@/db/errors';

/**
 * How long one migration statement may run: DATABASE_TIMEOUT suits the requests' queries, not a
 * `create index` on a large table, which must not be cancelled half-way through a deployment.
 */
const MIGRATION_TIMEOUT_SECONDS = 600;

function forMigration(settings: DatabaseSettings): DatabaseSettings {
  return settings.driver === 'pglite'
    ? settings
    : { ...settings, timeoutSeconds: MIGRATION_TIMEOUT_SECONDS };
}

/** `npm run db:migrate`: applies the committed migrations to the configured database. */
async function migrateConfiguredDatabase(): Promise<number> {
  try {
    const handle = await openDatabase(forMigration((await getAuthConfig()).database));
    try {
      // PGlite is migrated as it is opened; the servers' drivers are migrated here.
      if (handle.driver !== 'pglite') await handle.migrate();
      console.log(`migrations applied (${handle.driver})`);
      return 0;
    } finally {
      await handle.close();
    }
  } catch (error) {
    console.error(`migration failed: ${describeError(error)}`);
    return 1;
  }
}

process.exitCode = await migrateConfiguredDatabase();
