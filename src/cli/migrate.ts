import { getAuthConfig } from '@/auth/config';
import { openDatabase } from '@/db/client';

/** `npm run db:migrate`: applies the committed migrations to the configured database. */
async function migrateConfiguredDatabase(): Promise<number> {
  try {
    const handle = await openDatabase((await getAuthConfig()).database);
    try {
      await handle.migrate();
      console.log(`migrations applied (${handle.driver})`);
      return 0;
    } finally {
      await handle.close();
    }
  } catch (error) {
    console.error(`migration failed: ${(error as Error).message}`);
    return 1;
  }
}

process.exitCode = await migrateConfiguredDatabase();
