import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthEnv } from '@/auth/config/env';
import { resolveAuthConfig } from '@/auth/config/resolve';
import type { DatabaseSettings } from '@/db/types';
import { STRONG_SECRET, devEnv, expectConfigError, makeDataDir } from './helpers';

let dataDir: string;
let remove: () => void;

beforeAll(() => {
  ({ dataDir, remove } = makeDataDir());
});

afterAll(() => remove());

// HS256 with a secret: nothing is generated, only the database choice is under test.
async function database(env: Partial<AuthEnv>): Promise<DatabaseSettings> {
  const config = await resolveAuthConfig(
    {},
    devEnv(dataDir, { secret: STRONG_SECRET, algorithm: 'HS256', ...env }),
  );
  return config.database;
}

const NEON_URL =
  'postgresql://app:pw@ep-cool-star-123456.eu-central-1.aws.neon.tech/app?sslmode=require';
const LOCAL_URL = 'postgres://app:pw@localhost:5432/app';

describe('the database driver', () => {
  it('is embedded PGlite under the data directory when DATABASE_URL is unset', async () => {
    expect(await database({})).toEqual({ driver: 'pglite', dataDir: join(dataDir, 'pglite') });
  });

  it('is Neon for a *.neon.tech URL', async () => {
    expect(await database({ databaseUrl: NEON_URL })).toEqual({ driver: 'neon', url: NEON_URL });
  });

  it('is node-postgres for any other postgres:// URL', async () => {
    expect(await database({ databaseUrl: LOCAL_URL })).toEqual({ driver: 'pg', url: LOCAL_URL });
  });

  it('is node-postgres for a postgresql:// URL', async () => {
    const url = 'postgresql://app:pw@db.internal/app';
    expect(await database({ databaseUrl: url })).toEqual({ driver: 'pg', url });
  });

  it.each(['postgres://app@neon.tech.evil.example/app', 'postgres://app@evilneon.tech/app'])(
    'is node-postgres for a host that only looks like Neon (%s)',
    async (url) => {
      expect((await database({ databaseUrl: url })).driver).toBe('pg');
    },
  );

  it('is node-postgres when DATABASE_DRIVER=pg forces it for a Neon URL', async () => {
    expect(await database({ databaseUrl: NEON_URL, databaseDriver: 'pg' })).toEqual({
      driver: 'pg',
      url: NEON_URL,
    });
  });

  it('is Neon when DATABASE_DRIVER=neon forces it for another URL', async () => {
    expect(await database({ databaseUrl: LOCAL_URL, databaseDriver: 'neon' })).toEqual({
      driver: 'neon',
      url: LOCAL_URL,
    });
  });

  it('is PGlite when DATABASE_DRIVER=pglite forces it despite a DATABASE_URL', async () => {
    expect(await database({ databaseUrl: LOCAL_URL, databaseDriver: 'pglite' })).toEqual({
      driver: 'pglite',
      dataDir: join(dataDir, 'pglite'),
    });
  });

  it('refuses DATABASE_DRIVER=neon without DATABASE_URL, naming DATABASE_URL', async () => {
    await expectConfigError(() => database({ databaseDriver: 'neon' }), 'DATABASE_URL');
  });

  it('refuses an unknown DATABASE_DRIVER, naming it', async () => {
    await expectConfigError(() => database({ databaseDriver: 'sqlite' }), 'DATABASE_DRIVER');
  });

  it.each(['not a url', 'mysql://app@localhost/app', 'https://ep-x.neon.tech/app'])(
    'refuses DATABASE_URL %j, naming it',
    async (url) => {
      await expectConfigError(() => database({ databaseUrl: url }), 'DATABASE_URL');
    },
  );
});

describe('the database timeout (DATABASE_TIMEOUT)', () => {
  it('is left to the driver default (5 s) when unset', async () => {
    expect(await database({ databaseUrl: LOCAL_URL })).not.toHaveProperty('timeoutSeconds');
  });

  it.each([
    ['2', 2],
    ['1.5s', 1.5],
    ['1m', 60],
  ])('reads %j as %d seconds', async (raw, seconds) => {
    expect(await database({ databaseUrl: LOCAL_URL, databaseTimeout: raw })).toEqual({
      driver: 'pg',
      url: LOCAL_URL,
      timeoutSeconds: seconds,
    });
  });

  it('reaches the embedded database too (its worker thread keeps the deadline), and is left unset there when unset', async () => {
    expect(await database({ databaseTimeout: '3' })).toEqual({
      driver: 'pglite',
      dataDir: join(dataDir, 'pglite'),
      timeoutSeconds: 3,
    });
    expect(await database({})).not.toHaveProperty('timeoutSeconds');
  });

  it.each(['0', 'soon', '-1', '11m'])('refuses %j, naming DATABASE_TIMEOUT', async (raw) => {
    await expectConfigError(
      () => database({ databaseUrl: LOCAL_URL, databaseTimeout: raw }),
      'DATABASE_TIMEOUT',
    );
  });
});

it('refuses a bad DATABASE_TIMEOUT on the embedded database too', async () => {
  await expectConfigError(() => database({ databaseTimeout: 'soon' }), 'DATABASE_TIMEOUT');
});
