import { getAuthConfig } from './config';
import { log } from './events';

const DEMO_USER = { username: 'demo', password: 'demo-password-123', email: 'demo@example.com' };

/**
 * Validates the configuration at server start and, in development on an empty database, creates
 * the demo user and prints its credentials. Exits the process on a configuration error.
 */
export async function startAuthKit(): Promise<void> {
  let config;
  try {
    config = await getAuthConfig();
  } catch (error) {
    console.error(`\n[auth] ${(error as Error).message}\n`);
    process.exit(1);
  }
  log(config, 'info', 'auth kit configured', {
    algorithm: config.algorithm,
    database: config.database.driver,
    idp: config.idp.provider,
  });
  if (config.production) return;
  try {
    const [{ getDatabase }, { listUsers }, { createUser }] = await Promise.all([
      import('@/db'),
      import('@/db/queries/users'),
      import('./services/users'),
    ]);
    const { db } = await getDatabase();
    if ((await listUsers(db, { limit: 1 })).length > 0) return;
    await createUser(db, { ...DEMO_USER, isStaff: true });
    console.log(
      `\n[auth] Created the demo user: username "${DEMO_USER.username}", password "${DEMO_USER.password}".\n`,
    );
  } catch (error) {
    console.error(`\n[auth] ${(error as Error).message}\n`);
  }
}
