import { mkdtempSync, rmSync } from 'node:fs';
import { describe, it } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@/db/client';
import type { Database } from '@/db/client';
import { createUser } from '@/auth/services/users';
import { openTestDatabase, stopTestDatabaseServices, type TestDatabase } from './databases';
import { testSecrets } from './keys';
import { startNextServer, type NextServer } from './next-server';
import { copyMigratedPglite } from './pglite-template';

/** The two databases the HTTP suites run against. */
export const HTTP_BACKENDS = ['pglite', 'pg'] as const;
export type HttpBackend = (typeof HTTP_BACKENDS)[number];

/**
 * `it` on PostgreSQL, nothing on PGlite: for a test that looks into the database beside the server
 * (on PGlite the server process holds it) or cuts the database's connection. Such a test does not
 * exist on PGlite, so it is not declared there, and the summary's "skipped" keeps meaning skipped.
 */
export function itOnPostgres(backend: HttpBackend): typeof it {
  return backend === 'pg' ? it : (notDeclared as unknown as typeof it);
}
/** `describe` on PostgreSQL, nothing on PGlite: a group whose every test is {@link itOnPostgres}. */
export function describeOnPostgres(backend: HttpBackend): typeof describe {
  return backend === 'pg' ? describe : (notDeclared as unknown as typeof describe);
}
function notDeclared(): void {}

/** A user to create before the server starts. */
export interface SeedUser {
  username: string;
  password: string | null;
  email?: string;
  emailVerified?: boolean;
  isStaff?: boolean;
  isSuperuser?: boolean;
}

/** A `next start` of the kit on one backend, with what it was started with. */
export interface KitServer extends NextServer {
  backend: HttpBackend;
  /** The PostgreSQL scratch database (pg backend only: PGlite is held by the server process). */
  database: TestDatabase | null;
  env: Record<string, string>;
  /**
   * Starts the same server again on the same port and data (a restart); `offline` runs on the
   * database while the server is down (PGlite is held by the running server).
   */
  restart(offline?: (db: Database) => Promise<void>): Promise<void>;
}

async function seed(db: Database, users: SeedUser[]) {
  for (const user of users) await createUser(db, user);
}

/**
 * Starts the kit with production settings on PGlite (a fresh, migrated data directory) or on a fresh scratch
 * database of the test PostgreSQL (node-postgres), after creating `users`. Returns null when
 * PostgreSQL is unreachable (the suite then skips, with the message databases.ts prints).
 */
export async function startKit(
  backend: HttpBackend,
  {
    env = {},
    users = [],
    prepare,
    routeDatabaseUrl = (url) => url,
    nodeArgs = [],
    appDir,
    port,
  }: {
    env?: Record<string, string>;
    users?: SeedUser[];
    /** Runs on the fresh database after the users are seeded, before the server starts. */
    prepare?: (db: Database) => Promise<void>;
    routeDatabaseUrl?: (url: string) => string;
    nodeArgs?: string[];
    /** Where the app and its build are (default: the repository). */
    appDir?: string;
    /** The port to listen on (default: a free one), for settings that name it (AUTH_APP_URL). */
    port?: number;
  } = {},
): Promise<KitServer | null> {
  let database: TestDatabase | null = null;
  const dataDir = mkdtempSync(join(tmpdir(), 'kit-data-'));
  const fullEnv: Record<string, string> = {
    ...(await testSecrets()),
    AUTH_LOG_LEVEL: 'info',
    ...env,
  };
  if (backend === 'pg') {
    database = await openTestDatabase('pg');
    if (!database) return null;
    fullEnv.DATABASE_URL = routeDatabaseUrl((database.settings as { url: string }).url);
    await seed(database.db, users);
    await prepare?.(database.db);
  } else {
    // A copy of the migrated template (pglite-template.ts) instead of initdb and the migrations.
    await copyMigratedPglite(join(dataDir, 'pglite'));
    if (users.length > 0 || prepare) {
      const handle = await openDatabase({ driver: 'pglite', dataDir: join(dataDir, 'pglite') });
      await seed(handle.db, users);
      await prepare?.(handle.db);
      await handle.close();
    }
  }
  let server = await startNextServer(fullEnv, { dataDir, nodeArgs, appDir, port });
  const kit: KitServer = {
    backend,
    database,
    env: fullEnv,
    get url() {
      return server.url;
    },
    get port() {
      return server.port;
    },
    get pid() {
      return server.pid;
    },
    output: () => server.output(),
    async restart(offline) {
      await server.stop();
      if (offline && database) await offline(database.db);
      else if (offline) {
        const handle = await openDatabase({ driver: 'pglite', dataDir: join(dataDir, 'pglite') });
        await offline(handle.db).finally(() => handle.close());
      }
      server = await startNextServer(fullEnv, { dataDir, port: server.port, appDir });
    },
    async stop() {
      await server.stop();
      await database?.dispose();
      await stopTestDatabaseServices();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return kit;
}
