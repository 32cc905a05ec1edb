import { fork } from 'node:child_process';
import fs, { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { drizzle } from 'drizzle-orm/pglite';
import { openDatabase, type Database } from '@/db/client';
import { queryRows } from '@/db/execute';
import { openPglite } from '@/db/pglite';
import { findUserByUsername, listUsers } from '@/db/queries/users';
import * as schema from '@/db/schema';
import { copyMigratedPglite } from '../../support/pglite-template';
import { insertTestUser } from '../../support/users';

const OPENER = join(import.meta.dirname, 'pglite-opener.ts');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kit-pglite-open-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Runs pglite-opener.ts on `dataDir` and SIGKILLs it `killAfterMs` after it starts opening the
 * database (or, with `afterOpen`, after it reported the database open). Returns what it reported
 * and how long the open took when it was not killed first.
 */
async function openAndKill(dataDir: string, killAfterMs: number, { afterOpen = false } = {}) {
  const child = fork(OPENER, [dataDir], { execArgv: ['--import', 'tsx'], stdio: 'pipe' });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const committed: string[] = [];
  let openingAt = 0;
  let openMs: number | null = null;
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const kill = () => setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  child.on('message', (m: { opening?: true; opened?: true; committed?: string }) => {
    if (m.opening) {
      openingAt = Date.now();
      if (!afterOpen) kill();
    }
    if (m.opened) {
      openMs = Date.now() - openingAt;
      if (afterOpen) kill();
    }
    if (m.committed) committed.push(m.committed);
  });
  const code = await exited;
  return { openMs, committed, code, output };
}

/** How long opening `dataDir` takes in a child process (PGlite's start and the migrations). */
async function timeOpen(dataDir: string): Promise<number> {
  const { openMs } = await openAndKill(dataDir, 0, { afterOpen: true });
  return openMs ?? 5_000;
}

describe('opening the embedded database after a kill', () => {
  it('an empty postmaster.pid (a kill while PGlite started) does not stop the next open', async () => {
    const dataDir = join(dir, 'empty-pid', 'pglite');
    await copyMigratedPglite(dataDir);
    const first = await openDatabase({ driver: 'pglite', dataDir });
    await insertTestUser(first.db, 'before-the-kill');
    await first.close();
    writeFileSync(join(dataDir, 'postmaster.pid'), '');
    const again = await openDatabase({ driver: 'pglite', dataDir });
    try {
      expect(await findUserByUsername(again.db, 'before-the-kill')).not.toBeNull();
    } finally {
      await again.close();
    }
  }, 120_000);

  it('a directory PGlite cannot open is refused with the reason, the directory and the commands that fix it', async () => {
    const dataDir = join(dir, 'incompatible', 'pglite');
    await copyMigratedPglite(dataDir);
    writeFileSync(join(dataDir, 'PG_VERSION'), '99\n');
    const error = (await openDatabase({ driver: 'pglite', dataDir }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(error.name).toBe('PgliteOpenError');
    expect(error.message).toContain(`The embedded database at ${dataDir} could not be opened`);
    expect(error.message).toContain('initialized by PostgreSQL version 99');
    expect(error.message).toContain(`cp -a ${dataDir} ${dataDir}.bak`);
    expect(error.message).toContain(`rm -rf ${dataDir}`);
    // The failed open gave the lock back: nothing is left beside the directory but the directory.
    expect(readdirSync(join(dir, 'incompatible'))).toEqual(['pglite']);
  }, 120_000);

  it('kills at random moments of the first start leave a directory that opens', async () => {
    const typical = await timeOpen(join(dir, 'first-start-timing', 'pglite'));
    const kills: string[] = [];
    for (let round = 0; round < 3; round++) {
      const dataDir = join(dir, `first-start-${round}`, 'pglite');
      const killAfter = Math.round(Math.random() * typical); // initdb, PGlite's start, migrations
      const { openMs } = await openAndKill(dataDir, killAfter);
      kills.push(openMs === null ? `${killAfter}` : `${killAfter} (after opening)`);
      const handle = await openDatabase({ driver: 'pglite', dataDir });
      await handle.close();
      expect(readdirSync(join(dir, `first-start-${round}`))).toEqual(['pglite']);
    }
    console.log(
      `[pglite-open] first start takes ${typical} ms; kills after ${kills.join(', ')} ms`,
    );
  }, 300_000);

  it('kills at random moments of later opens and first writes lose no committed write', async () => {
    const dataDir = join(dir, 'reopen', 'pglite');
    await copyMigratedPglite(dataDir); // an existing database: only the first test is about creating one
    const typical = await timeOpen(dataDir);
    const committed: string[] = [];
    for (let round = 0; round < 8; round++) {
      // Most kills land while the database opens, the others while the first writes commit.
      const afterOpen = round % 4 === 3;
      const killAfter = Math.random() * (afterOpen ? 300 : typical);
      const result = await openAndKill(dataDir, killAfter, { afterOpen });
      expect(result.code, result.output).toBeNull(); // killed, not failed
      committed.push(...result.committed);
    }
    const handle = await openDatabase({ driver: 'pglite', dataDir });
    try {
      const stored = new Set(
        (await listUsers(handle.db, { limit: 100_000 })).map((u) => u.username),
      );
      expect(committed.filter((username) => !stored.has(username))).toEqual([]);
    } finally {
      await handle.close();
    }
    console.log(
      `[pglite-open] ${committed.length} writes committed across 8 kills, all kept; an open takes ${typical} ms`,
    );
  }, 300_000);

  it('commits reach the disk: fsync is on and every commit calls fsync()', async () => {
    const dataDir = join(dir, 'durable', 'pglite');
    await copyMigratedPglite(dataDir);
    // Opened as the server opens it (PGlite in its worker thread): fsync is on.
    const handle = await openDatabase({ driver: 'pglite', dataDir });
    try {
      const [setting] = await queryRows<{ fsync: string }>(handle.db, sql`show fsync`);
      expect(setting?.fsync).toBe('on');
    } finally {
      await handle.close();
    }
    // The worker's own opener (src/db/pglite.ts), run here in the test's thread, where the
    // calls that reach node:fs can be counted (a worker has its own copy of the module).
    const pg = await openPglite(dataDir);
    const fsync = vi.spyOn(fs, 'fsyncSync');
    try {
      const [setting] = (await pg.query<{ fsync: string }>('show fsync')).rows;
      expect(setting?.fsync).toBe('on');
      const db = drizzle({ client: pg, schema }) as unknown as Database;
      fsync.mockClear();
      for (let i = 0; i < 20; i++) await insertTestUser(db, `durable-${i}`);
      expect(fsync.mock.calls.length).toBeGreaterThanOrEqual(20);
    } finally {
      fsync.mockRestore();
      await pg.close();
    }
  }, 120_000);
});
