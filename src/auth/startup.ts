import { getAuthConfig } from './config';
import type { AuthConfig } from './config/types';
import type { Database } from '@/db/client';
import { describeError } from '@/db/errors';
import { log } from '@/log';

/** The demo account `npm run dev` creates, published in the README: never for production. */
const DEMO_USER = { username: 'demo', password: 'demo-password-123', email: 'demo@example.com' };

async function stop(error: unknown): Promise<never> {
  // Close the database first, so PGlite is shut down cleanly and its lock released.
  const { closeDatabase } = await import('@/db');
  await closeDatabase().catch(() => {});
  console.error(`\n[auth] ${(error as Error).message}\n`);
  process.exit(1);
}

/**
 * Refuses to serve production while the demo user can still sign in with its published password
 * (a development database carried into production). Only the user named `demo` is checked: it is
 * the only account the kit ever gives that password, and checking every user would cost one
 * Argon2 verification per user at each start. An inactive demo user cannot sign in and passes.
 * @throws Error naming the two commands that fix it.
 */
async function refuseDemoUser(db: Database): Promise<void> {
  const [{ findUserByUsername }, { verifyPassword }] = await Promise.all([
    import('@/db/queries/users'),
    import('./passwords'),
  ]);
  const demo = await findUserByUsername(db, DEMO_USER.username);
  if (!demo?.isActive || !(await verifyPassword(DEMO_USER.password, demo.password)).valid) return;
  throw new Error(
    `Refusing to start in production: the database has the demo user "${DEMO_USER.username}" with its published password. ` +
      `Stop the server and delete it (\`npm run auth -- delete-user ${DEMO_USER.username} --yes\`) or give it a new password ` +
      `(\`npm run auth -- set-password ${DEMO_USER.username}\`), with the same DATABASE_URL, then start again.`,
  );
}

/** In development on the embedded database, when it has no user yet: creates the demo user. */
async function createDemoUser(db: Database): Promise<void> {
  const [{ listUsers }, { createUser }] = await Promise.all([
    import('@/db/queries/users'),
    import('./services/users'),
  ]);
  try {
    if ((await listUsers(db, { limit: 1 })).length > 0) return;
    // Verified, so the stand-in IdP's demo user (same address) links to it as in production.
    await createUser(db, { ...DEMO_USER, isStaff: true, emailVerified: true });
    console.log(
      `\n[auth] Created the demo user: username "${DEMO_USER.username}", password "${DEMO_USER.password}".\n`,
    );
  } catch (error) {
    console.error(`\n[auth] could not create the demo user: ${describeError(error)}\n`);
  }
}

/** A production server on PGlite: allowed (one process, one machine), but said out loud. */
function warnAboutEmbeddedProduction(config: AuthConfig): void {
  if (!config.production || config.database.driver !== 'pglite') return;
  log(config, 'warn', 'production is running on the embedded database (PGlite)', {
    dataDir: config.database.dataDir,
    hint: 'PGlite serves one process on one machine, and with the default AUTH_DATA_DIR it holds what `npm run dev` wrote; set DATABASE_URL to PostgreSQL or Neon',
  });
}

/**
 * Runs once when the server starts: validates the configuration and opens the database (the
 * embedded one is locked to this process from now on and migrated; a server database must have
 * no pending migration), stopping the server with a message naming the problem. The database is
 * closed when the server is told to stop. In production it refuses the published demo user; in
 * development, on an empty embedded database only, it creates the demo user and prints its
 * credentials.
 */
export async function startAuthKit(): Promise<void> {
  const config = await getAuthConfig().catch(stop);
  const { getDatabase, closeDatabaseOnShutdown } = await import('@/db');
  const { db } = await getDatabase(config.database).catch(stop);
  closeDatabaseOnShutdown();
  log(config, 'info', 'auth kit configured', {
    algorithm: config.algorithm,
    database: config.database.driver,
    idp: config.idp.provider,
  });
  warnAboutEmbeddedProduction(config);
  (await import('./throttle/startup')).startSignInDefences(config, db);
  if (config.production) await refuseDemoUser(db).catch(stop);
  else if (config.database.driver === 'pglite') await createDemoUser(db);
}
