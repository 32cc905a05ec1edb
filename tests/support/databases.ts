import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestContext } from 'vitest';
import { openDatabase, type DatabaseHandle } from '@/db/client';
import type { DatabaseSettings } from '@/auth/config/types';
import { configureNeonForLocalProxy, startNeonWsProxy, type NeonWsProxy } from './neon-ws-proxy';

/** The PostgreSQL server the driver suites use (CI exports TEST_DATABASE_URL). */
export const POSTGRES_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

let reachable: Promise<boolean> | undefined;

/** Tells whether the test PostgreSQL server answers; CI sets REQUIRE_POSTGRES=1 to fail instead. */
export function postgresReachable(): Promise<boolean> {
  reachable ??= (async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch (error) {
      if (process.env.REQUIRE_POSTGRES === '1')
        throw new Error(
          `PostgreSQL at ${POSTGRES_URL} is required but unreachable: ${(error as Error).message}`,
        );
      console.warn(
        `\n  SKIPPED: PostgreSQL at ${POSTGRES_URL} is unreachable (${(error as Error).message}); the pg and neon driver suites do not run.\n`,
      );
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return reachable;
}

/**
 * Skips the running test, visibly ("PostgreSQL unreachable"), when what its suite started on the
 * test PostgreSQL is missing: startKit and openTestDatabase give null when the server does not
 * answer (under REQUIRE_POSTGRES=1 they throw instead). Afterwards TypeScript knows it is there.
 * `context.skip()` throws, so nothing after the call runs.
 */
export function skipWithoutPostgres<T>(
  context: TestContext,
  started: T,
  note = 'PostgreSQL unreachable',
): asserts started is NonNullable<T> {
  if (started == null || started === false) context.skip(note);
}

/** Skips the running test, visibly, when the test PostgreSQL server does not answer. */
export async function skipUnlessPostgresReachable(context: TestContext): Promise<void> {
  if (!(await postgresReachable())) context.skip('PostgreSQL unreachable');
}

/** Creates a fresh, empty database on the test server and returns its URL and a dropper. */
export async function createScratchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `kit_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

/** The three drivers the data layer supports. */
export const DRIVERS = ['pglite', 'pg', 'neon'] as const;
export type Driver = (typeof DRIVERS)[number];

/** An opened, migrated, empty database on one driver, with its cleanup. */
export interface TestDatabase extends DatabaseHandle {
  settings: DatabaseSettings;
  dispose(): Promise<void>;
}

let neonProxy: NeonWsProxy | undefined;

/**
 * Opens a fresh database on `driver`: PGlite in memory, or a scratch database on the test
 * PostgreSQL reached through node-postgres or through the real Neon driver over a local
 * WebSocket proxy. Returns null (the suite skips, visibly) when PostgreSQL is unreachable.
 */
export async function openTestDatabase(driver: Driver): Promise<TestDatabase | null> {
  if (driver === 'pglite') {
    const settings: DatabaseSettings = { driver: 'pglite', dataDir: 'memory://' };
    const handle = await openDatabase(settings);
    return { ...handle, settings, dispose: () => handle.close() };
  }
  if (!(await postgresReachable())) return null;
  const scratch = await createScratchDatabase();
  if (driver === 'neon' && !neonProxy) {
    neonProxy = await startNeonWsProxy();
    configureNeonForLocalProxy(neonProxy.port);
  }
  const settings: DatabaseSettings = { driver, url: scratch.url };
  const handle = await openDatabase(settings);
  await handle.migrate();
  return {
    ...handle,
    settings,
    async dispose() {
      await handle.close();
      await scratch.drop();
    },
  };
}

/** Stops the shared Neon proxy, if one was started (call in afterAll). */
export async function stopTestDatabaseServices(): Promise<void> {
  await neonProxy?.close();
  neonProxy = undefined;
}
