import { getAuthConfig } from '@/auth/config';
import { openDatabase } from '@/db/client';
import { describeError } from '@/db/errors';

/** `npm run db:migrate`: applies the committed migrations to the configured database. */
async function migrateConfiguredDatabase(): Promise<number> {
  try {
    const handle = await openDatabase((await getAuthConfig()).database);
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
