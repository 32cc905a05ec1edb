import { getAuthConfig } from './config';
import { describeError } from '@/db/errors';
import { log } from './events';

const DEMO_USER = { username: 'demo', password: 'demo-password-123', email: 'demo@example.com' };

function stop(error: unknown): never {
  console.error(`\n[auth] ${(error as Error).message}\n`);
  process.exit(1);
}

/**
 * Runs once when the server starts: validates the configuration and opens the database (the
 * embedded one is locked to this process from now on and migrated), stopping the server with a
 * message naming the problem. In development, on an empty database, it creates the demo user
 * and prints its credentials.
 */
export async function startAuthKit(): Promise<void> {
  const config = await getAuthConfig().catch(stop);
  const [{ getDatabase }, { listUsers }, { createUser }] = await Promise.all([
    import('@/db'),
    import('@/db/queries/users'),
    import('./services/users'),
  ]);
  const { db } = await getDatabase().catch(stop);
  log(config, 'info', 'auth kit configured', {
    algorithm: config.algorithm,
    database: config.database.driver,
    idp: config.idp.provider,
  });
  (await import('./throttle/startup')).startSignInDefences(config, db);
  if (config.production) return;
  try {
    if ((await listUsers(db, { limit: 1 })).length > 0) return;
    await createUser(db, { ...DEMO_USER, isStaff: true });
    console.log(
      `\n[auth] Created the demo user: username "${DEMO_USER.username}", password "${DEMO_USER.password}".\n`,
    );
  } catch (error) {
    console.error(`\n[auth] could not create the demo user: ${describeError(error)}\n`);
  }
}
