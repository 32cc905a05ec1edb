import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@/db/client';
import { createUser } from '@/auth/services/users';
import { HttpClient } from '../../support/http-client';
import { testSecrets } from '../../support/keys';
import { startKit, type KitServer } from '../../support/kit-servers';
import { nextBuildReady } from '../../support/next-build';
import { freePort } from '../../support/next-server';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy';
import {
  createScratchDatabase,
  POSTGRES_URL,
  postgresReachable,
  stopTestDatabaseServices,
  skipWithoutPostgres,
  skipUnlessPostgresReachable,
} from '../../support/databases';
import { PATHS, refresh, signIn, warmUp } from '../../support/requests';

/**
 * The database as `next start` really uses it: opened in the instrumentation bundle, used from the
 * route bundles (each with its own copy of the kit's modules and of drizzle-orm), checked at start
 * and closed on shutdown.
 */

const PASSWORD = 'correct-horse-battery';

/** A `next start` this suite controls itself: its exit code and timing are under test. */
interface Started {
  url: string;
  output(): string;
  /** Resolves with the exit code (or the signal) when the process ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
}

/**
 * Spawns `next start` in production with `env` and waits until it answers, or until it exits
 * (a refused start): `ready` tells which.
 */
async function spawnNextStart(env: Record<string, string>): Promise<Started & { ready: boolean }> {
  await nextBuildReady();
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['node_modules/next/dist/bin/next', 'start', '-p', String(port), '-H', '127.0.0.1'],
    {
      cwd: process.cwd(),
      env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (hasExited) break;
    try {
      if ((await fetch(`${url}${PATHS.jwks}`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`next start neither answered nor exited within 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  return {
    url,
    ready: !hasExited,
    output: () => output,
    exited,
    kill: (signal) => child.kill(signal),
  };
}

/** Waits for `promise` at most `ms`; null when it did not settle in time. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

afterAll(stopTestDatabaseServices);

describe('next start on PostgreSQL, through a proxy that reads the wire', () => {
  let proxy: TcpProxy | null = null;
  let kit: KitServer | null = null;

  beforeAll(async () => {
    if (!(await postgresReachable())) return;
    const target = new URL(POSTGRES_URL);
    proxy = await startTcpProxy({
      targetHost: target.hostname,
      targetPort: Number(target.port || 5432),
    });
    kit = await startKit('pg', {
      users: [{ username: 'wire-user', password: PASSWORD }],
      routeDatabaseUrl: (url) => proxy!.url(url),
    });
    if (kit) await warmUp(kit);
  });
  afterAll(async () => {
    await kit?.stop();
    await proxy?.close();
  });

  it('rotates refresh tokens with the named prepared statement, parsed once per connection', async (context) => {
    skipWithoutPostgres(context, kit);
    skipWithoutPostgres(context, proxy);
    const client = new HttpClient(kit.url);
    const { body } = await signIn(client, 'wire-user', PASSWORD);
    const refreshes = 12;
    for (let i = 0; i < refreshes; i++)
      expect((await refresh(client, body.CSRF_token)).status).toBe(200);
    const parses = proxy
      .parsedStatements()
      .filter((name) => name === 'kit_consume_refresh_token').length;
    // Named on the wire: the statement is the kit's; fewer Parse messages than refreshes: the
    // connections kept it and only bound new values (the pool has at most 10 connections).
    expect(parses).toBeGreaterThanOrEqual(1);
    expect(parses).toBeLessThan(refreshes);
  });

  it('logs a failed query without the values it was bound to (the username typed into sign-in)', async (context) => {
    skipWithoutPostgres(context, kit?.database);
    // Break the schema under the running server, so the user lookup of the next sign-in fails.
    await kit.database.db.execute(sql`alter table users rename to users_moved_away`);
    const typed = 'typed-username-3f9c1e';
    const response = await new HttpClient(kit.url).post(PATHS.signIn, {
      username: typed,
      password: 'typed-password-8d2a',
    });
    expect(response.status).toBe(500);
    const logged = () => {
      for (const line of kit!.output().split('\n')) {
        try {
          const entry = JSON.parse(line) as { msg?: string; error?: string };
          if (entry.msg === 'unexpected error' && entry.error) return entry.error;
        } catch {
          /* not a log line */
        }
      }
      return null;
    };
    const deadline = Date.now() + 3_000;
    while (!logged() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(logged()).toMatch(
      /^query failed: select .* from "users" .*\ncaused by: .*"users" does not exist/s,
    );
    const log = kit.output();
    expect(log).not.toContain(typed);
    expect(log).not.toContain('typed-password-8d2a');
  });
});

describe('next start on a PostgreSQL database that was never migrated', () => {
  it('stops at start with a message that says to run npm run db:migrate', async (context) => {
    await skipUnlessPostgresReachable(context);
    const scratch = await createScratchDatabase();
    const server = await spawnNextStart({ ...(await testSecrets()), DATABASE_URL: scratch.url });
    try {
      if (server.ready) server.kill('SIGKILL');
      const { code } = await server.exited;
      expect({ ready: server.ready, code }).toEqual({ ready: false, code: 1 });
      expect(server.output()).toContain('npm run db:migrate');
      expect(server.output()).toContain('0000_init');
    } finally {
      await scratch.drop();
    }
  });
});

// Each test migrates a fresh PGlite, hashes a password and starts a production server: on a
// loaded two-core machine that alone took 33–40 s, past the suite's default of 30 s.
describe('next start in production on the embedded database', { timeout: 90_000 }, () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  /** A data directory whose PGlite database holds `users` (PGlite is closed again). */
  async function dataDirWith(users: Parameters<typeof createUser>[1][]): Promise<string> {
    const dataDir = mkdtempSync(join(tmpdir(), 'kit-server-'));
    dirs.push(dataDir);
    const handle = await openDatabase({ driver: 'pglite', dataDir: join(dataDir, 'pglite') });
    for (const user of users) await createUser(handle.db, user);
    await handle.close();
    return dataDir;
  }

  it('refuses to start while the demo user still has its published password, naming the fix', async () => {
    const dataDir = await dataDirWith([
      { username: 'demo', password: 'demo-password-123', isStaff: true },
    ]);
    const server = await spawnNextStart({ ...(await testSecrets()), AUTH_DATA_DIR: dataDir });
    if (server.ready) server.kill('SIGKILL');
    const { code } = await server.exited;
    expect({ ready: server.ready, code }).toEqual({ ready: false, code: 1 });
    expect(server.output()).toContain('demo user');
    expect(server.output()).toContain('npm run auth -- delete-user demo');
    expect(server.output()).toContain('npm run auth -- set-password demo');
  });

  it('starts when the demo user has another password', async () => {
    const dataDir = await dataDirWith([{ username: 'demo', password: 'a-private-password-1' }]);
    const server = await spawnNextStart({ ...(await testSecrets()), AUTH_DATA_DIR: dataDir });
    server.kill('SIGKILL');
    await server.exited;
    expect(server.ready).toBe(true);
  });

  it('warns that production runs on PGlite, and on SIGTERM closes PGlite and its lock and exits promptly', async () => {
    const dataDir = await dataDirWith([{ username: 'someone', password: PASSWORD }]);
    const server = await spawnNextStart({
      ...(await testSecrets()),
      AUTH_DATA_DIR: dataDir,
      AUTH_LOG_LEVEL: 'info',
    });
    expect(server.ready).toBe(true);
    await signIn(new HttpClient(server.url), 'someone', PASSWORD);
    expect(server.output()).toMatch(
      /"level":"warn".*production is running on the embedded database/,
    );
    expect(existsSync(join(dataDir, 'pglite', 'postmaster.pid'))).toBe(true);

    const signalled = Date.now();
    server.kill('SIGTERM');
    const exit = await within(server.exited, 10_000);
    const elapsedMs = Date.now() - signalled;
    if (!exit) server.kill('SIGKILL');
    console.log(`[shutdown] exited ${JSON.stringify(exit)} ${elapsedMs} ms after SIGTERM`);
    // Next exits with 128 + the signal's number (143) once it has drained: the convention for a
    // process ended by SIGTERM, which process managers treat as a requested stop.
    expect(exit).toEqual({ code: 143, signal: null });
    expect(elapsedMs).toBeLessThan(5_000);
    // PGlite was shut down, not abandoned (its pid file goes on close), and the kit's lock is gone.
    expect(existsSync(join(dataDir, 'pglite', 'postmaster.pid'))).toBe(false);
    expect(readdirSync(dataDir).filter((name) => name.endsWith('.lock'))).toEqual([]);
  });
});
