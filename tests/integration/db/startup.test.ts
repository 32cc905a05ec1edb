import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeDatabase } from '@/db';
import { listUsers } from '@/db/queries/users';
import { getAuthDatabase } from '@/auth/context';
import { startAuthKit } from '@/auth/startup';
import {
  createScratchDatabase,
  openTestDatabase,
  skipUnlessPostgresReachable,
} from '../../support/databases';

/**
 * The start-up of a development server, in process (`next dev` runs the same startAuthKit()): the
 * demo user with its published password belongs on the embedded database only, never on a
 * PostgreSQL or Neon database that development happens to point at.
 */

const ENV_NAMES = ['NODE_ENV', 'DATABASE_URL', 'DATABASE_DRIVER', 'AUTH_DATA_DIR'] as const;
const savedEnv = Object.fromEntries(ENV_NAMES.map((name) => [name, process.env[name]]));
const env = process.env as Record<string, string | undefined>;
const caches = globalThis as { __authKitConfig?: unknown; __authKitDb?: unknown };
const cleanups: (() => Promise<void> | void)[] = [];

/** Starts the kit in development with `env`, from a fresh configuration and no open database. */
async function startInDevelopment(overrides: Record<string, string | undefined>) {
  const dataDir = mkdtempSync(join(tmpdir(), 'kit-startup-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  Object.assign(env, { NODE_ENV: 'development', AUTH_DATA_DIR: dataDir });
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  delete caches.__authKitConfig;
  await startAuthKit();
  return (await getAuthDatabase()).db;
}

afterEach(async () => {
  await closeDatabase();
  delete caches.__authKitConfig;
  for (const name of ENV_NAMES) {
    if (savedEnv[name] === undefined) delete env[name];
    else env[name] = savedEnv[name];
  }
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('starting in development', () => {
  it('creates the demo user on an empty embedded database', async () => {
    const db = await startInDevelopment({ DATABASE_URL: undefined, DATABASE_DRIVER: undefined });
    expect((await listUsers(db)).map((u) => [u.username, u.isStaff])).toEqual([['demo', true]]);
  });

  it('creates no demo user on an empty PostgreSQL database', async (context) => {
    await skipUnlessPostgresReachable(context);
    // A scratch database, migrated as `npm run db:migrate` would: empty of users.
    const migrated = await openTestDatabase('pg');
    cleanups.push(() => migrated!.dispose());
    const url = (migrated!.settings as { url: string }).url;
    const db = await startInDevelopment({ DATABASE_URL: url, DATABASE_DRIVER: undefined });
    expect(await listUsers(db)).toEqual([]);
  });

  it('stops on an unmigrated PostgreSQL database, saying to run npm run db:migrate', async (context) => {
    await skipUnlessPostgresReachable(context);
    const scratch = await createScratchDatabase();
    cleanups.push(() => scratch.drop());
    env.DATABASE_URL = scratch.url;
    delete caches.__authKitConfig;
    await expect(getAuthDatabase()).rejects.toThrow(/npm run db:migrate/);
  });
});
