import { fork } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toErrorResponse } from '@/auth/errors';
import { openDatabase, type DatabaseHandle } from '@/db/client';
import { isConnectionError } from '@/db/errors';
import { queryPrepared, queryRows } from '@/db/execute';
import type { PgliteHost } from '@/db/pglite-host';
import { copyMigratedPglite } from '../../support/pglite-template';

/**
 * The embedded database in its worker thread (src/db/pglite-host.ts): a crash of the worker, a
 * statement past DATABASE_TIMEOUT, a transaction left idle, transactions across the port, the
 * lock across restarts, and shutdown.
 */

/** DATABASE_TIMEOUT here: short, so the stalls take seconds. */
const TIMEOUT_SECONDS = 1;
const DEADLINE_MS = (TIMEOUT_SECONDS + 1) * 1000;
const OPENER = join(import.meta.dirname, 'pglite-opener.ts');
const HOLDER = join(import.meta.dirname, 'pglite-holder.ts');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kit-pglite-worker-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let count = 0;
/** A fresh migrated database (a copy of the template), opened as the server opens it. */
async function open(timeoutSeconds?: number): Promise<{ handle: DatabaseHandle; dataDir: string }> {
  const dataDir = join(dir, `db-${++count}`, 'pglite');
  await copyMigratedPglite(dataDir);
  const handle = await openDatabase({ driver: 'pglite', dataDir, timeoutSeconds });
  await handle.db.execute(
    sql`create table probe (id serial primary key, tag text not null, n integer not null)`,
  );
  return { handle, dataDir };
}

const hostOf = (handle: DatabaseHandle) =>
  (handle.db as unknown as { $client: PgliteHost }).$client;
const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: unknown) => error,
  );
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function probe(handle: DatabaseHandle) {
  return queryRows<{ tag: string; n: number }>(
    handle.db,
    sql`select tag, n from probe order by id`,
  );
}

/**
 * A statement waits for a new worker to open within its deadline. PGlite opens in about a second
 * on an idle machine, but in many more seconds on two cores shared by the test suites: a long
 * DATABASE_TIMEOUT here, so that "the statement after a crash succeeds" does not depend on load.
 */
const RESTART_TIMEOUT_SECONDS = 60;

describe('the embedded database in a worker thread', () => {
  let handle: DatabaseHandle;
  let dataDir: string;
  beforeAll(async () => {
    ({ handle, dataDir } = await open(RESTART_TIMEOUT_SECONDS));
  });
  afterAll(() => handle.close());
  afterEach(async () => {
    await handle.db.execute(sql`delete from probe`);
  });

  it('a worker crash mid-statement is a 503, and the next statement succeeds on a new worker', async () => {
    await handle.db.execute(sql`insert into probe (tag, n) values ('before', 1)`);
    const running = rejection(handle.db.execute(sql`select pg_sleep(1)`));
    await sleep(200);
    const started = Date.now();
    await hostOf(handle).stopWorker();
    const failed = await running;
    expect(Date.now() - started).toBeLessThan(1_000); // failed at the crash, not at a deadline
    expect(isConnectionError(failed)).toBe(true);
    const response = toErrorResponse(failed, { log: { logLevel: 'silent' } });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ code: 'service_unavailable' });
    // The next statement waits for the new worker on the same directory: the commit survived.
    expect(await probe(handle)).toEqual([{ tag: 'before', n: 1 }]);
  });

  it('a crash mid-transaction loses the transaction, and its later statements never run outside it', async () => {
    const failed = await rejection(
      handle.db.transaction(async (tx) => {
        await tx.execute(sql`insert into probe (tag, n) values ('lost', 1)`);
        await hostOf(handle).stopWorker();
        await tx.execute(sql`insert into probe (tag, n) values ('lost', 2)`);
      }),
    );
    expect(isConnectionError(failed)).toBe(true);
    expect(await probe(handle)).toEqual([]);
  });

  it('a transaction rolls back on an error across the port', async () => {
    const failed = await rejection(
      handle.db.transaction(async (tx) => {
        await tx.execute(sql`insert into probe (tag, n) values ('rolled back', 1)`);
        throw new Error('the caller gives up');
      }),
    );
    expect((failed as Error).message).toBe('the caller gives up');
    // A failing statement aborts it too, and the next transaction starts clean.
    const bad = await rejection(
      handle.db.transaction(async (tx) => {
        await tx.execute(sql`insert into probe (tag, n) values ('rolled back', 2)`);
        await tx.execute(sql`insert into probe (tag, n) values ('rolled back', null)`);
      }),
    );
    expect(String((bad as Error).cause ?? bad)).toMatch(/null value/);
    await handle.db.transaction(async (tx) => {
      await tx.execute(sql`insert into probe (tag, n) values ('committed', 1)`);
    });
    expect(await probe(handle)).toEqual([{ tag: 'committed', n: 1 }]);
  });

  it('two transactions and a plain statement at once: no interleaving, nothing joins another transaction', async () => {
    const [a, plain, b] = await Promise.allSettled([
      handle.db.transaction(async (tx) => {
        await tx.execute(sql`insert into probe (tag, n) values ('a', 1)`);
        await sleep(150); // the caller works between statements; others wait
        await tx.execute(sql`insert into probe (tag, n) values ('a', 2)`);
        throw new Error('a rolls back');
      }),
      handle.db.execute(sql`insert into probe (tag, n) values ('plain', 1)`),
      handle.db.transaction(async (tx) => {
        await tx.execute(sql`insert into probe (tag, n) values ('b', 1)`);
        await sleep(50);
        await tx.execute(sql`insert into probe (tag, n) values ('b', 2)`);
      }),
    ]);
    expect(a.status === 'rejected' && (a.reason as Error).message).toBe('a rolls back');
    expect([plain.status, b.status]).toEqual(['fulfilled', 'fulfilled']);
    const rows = await queryRows<{ id: number; tag: string; n: number }>(
      handle.db,
      sql`select id, tag, n from probe order by id`,
    );
    // A's rows went with its rollback (the plain insert did not run inside A and was kept)...
    expect(rows.map((row) => row.tag).sort()).toEqual(['b', 'b', 'plain']);
    // ...and B's two statements ran back to back (ids are taken in the order statements run).
    const bRows = rows.filter((row) => row.tag === 'b');
    expect(bRows.map((row) => row.n)).toEqual([1, 2]);
    expect(bRows[1]!.id - bRows[0]!.id).toBe(1);
  });

  it('a named statement (queryPrepared) is parsed once and answers as a plain query does, errors included', async () => {
    await handle.db.execute(sql`insert into probe (tag, n) values ('a', 1), ('b', 2)`);
    const named = (n: unknown) =>
      queryPrepared<{ tag: string; n: number; at: unknown }>(
        handle.db,
        'kit_test_probe',
        sql`select tag, n, now() as at from probe where n >= ${n} order by id`,
      );
    // What the unnamed path answered before (PGlite's query() with its own parsers).
    const plain = await hostOf(handle).query<{ at: unknown }>(
      'select tag, n, now() as at from probe where n >= $1 order by id',
      [1],
    );
    const first = await named(1);
    // The same values of the same types as PGlite's query() gives (an instant as a Date).
    expect(first.map(({ tag, n }) => ({ tag, n }))).toEqual([
      { tag: 'a', n: 1 },
      { tag: 'b', n: 2 },
    ]);
    expect(first[0]!.at).toBeInstanceOf(Date);
    expect(plain.rows[0]!.at).toBeInstanceOf(Date);
    expect(await named(2)).toMatchObject([{ tag: 'b', n: 2 }]);
    expect(
      await rejection(
        queryPrepared(
          handle.db,
          'kit_test_count',
          sql`select count(*)::int as c from probe where tag = ${'a'}`,
        ),
      ),
    ).toBeNull();

    // A value the statement cannot take is PostgreSQL's error (invalid integer text), and the
    // statement still works afterwards: the error ended with its Sync, not with the connection.
    const failed = await rejection(named('not a number'));
    expect(failed).toMatchObject({ code: '22P02' });
    expect(await named(2)).toMatchObject([{ tag: 'b', n: 2 }]);

    // A name that comes with another text (a caller's bug) runs that text, not the statement
    // prepared under the name: it goes unnamed.
    expect(
      await queryPrepared<{ c: number }>(
        handle.db,
        'kit_test_probe',
        sql`select count(*)::int as c from probe where n >= ${1}`,
      ),
    ).toEqual([{ c: 2 }]);
    expect(await named(2)).toMatchObject([{ tag: 'b', n: 2 }]);

    // A write through a named statement commits, and a plain read sees it.
    const inserted = await queryPrepared<{ id: number }>(
      handle.db,
      'kit_test_insert',
      sql`insert into probe (tag, n) values (${'c'}, ${3}) returning id`,
    );
    expect(inserted).toHaveLength(1);
    expect((await probe(handle)).map(({ tag }) => tag)).toEqual(['a', 'b', 'c']);
  });

  it('keeps the directory locked across a restart of the worker', async () => {
    await hostOf(handle).stopWorker();
    const child = fork(OPENER, [dataDir], { execArgv: ['--import', 'tsx'], stdio: 'pipe' });
    let output = '';
    child.stderr!.on('data', (d) => (output += d));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).not.toBe(0);
    expect(output).toContain('DatabaseLockedError');
    expect(output).toContain(`is in use by process ${process.pid}`);
    await handle.db.execute(sql`insert into probe (tag, n) values ('still mine', 1)`);
    expect(await probe(handle)).toEqual([{ tag: 'still mine', n: 1 }]);
  });
});

/** With DATABASE_TIMEOUT=1, so that the stalls take seconds. */
describe('the embedded database in a worker thread, stalled', () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    ({ handle } = await open(TIMEOUT_SECONDS));
  });
  afterAll(() => handle.close());

  /** The rows of `probe` once the database answers again (a new worker may still be opening). */
  async function probeOnceUp(): Promise<unknown[]> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await probe(handle);
      } catch (error) {
        if (attempt >= 10 || !isConnectionError(error)) throw error;
      }
    }
  }

  it('a statement past DATABASE_TIMEOUT + 1 s fails with a connection error within that deadline, and the stuck worker is replaced', async () => {
    const started = Date.now();
    const failed = await rejection(handle.db.execute(sql`select pg_sleep(30)`));
    const elapsedMs = Date.now() - started;
    expect(isConnectionError(failed)).toBe(true);
    expect(elapsedMs).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
    expect(elapsedMs).toBeLessThan(DEADLINE_MS + 1_500);
    // The worker still asleep in pg_sleep(30) was stopped: a new one answers within seconds.
    const restarted = Date.now();
    expect(await probeOnceUp()).toEqual([]);
    expect(Date.now() - restarted).toBeLessThan(20_000);
  });

  it('a transaction left idle past DATABASE_TIMEOUT is rolled back and frees the database', async () => {
    await probeOnceUp();
    let idleFailure: unknown = null;
    const tx = rejection(
      handle.db.transaction(async (tx) => {
        await tx.execute(sql`insert into probe (tag, n) values ('idle', 1)`);
        await sleep(TIMEOUT_SECONDS * 1000 + 1_000); // stalled between statements
        idleFailure = await rejection(
          tx.execute(sql`insert into probe (tag, n) values ('idle', 2)`),
        );
      }),
    );
    await sleep(100);
    // Another request's statement waits for the transaction, but not past the idle limit.
    const started = Date.now();
    await handle.db.execute(sql`insert into probe (tag, n) values ('waiting', 1)`);
    expect(Date.now() - started).toBeLessThan(DEADLINE_MS);
    expect(isConnectionError(await tx)).toBe(true);
    expect(isConnectionError(idleFailure)).toBe(true);
    expect(await probe(handle)).toEqual([{ tag: 'waiting', n: 1 }]);
  });
});

describe('shutdown of a process with the embedded database open', () => {
  /** Runs pglite-holder.ts in `mode` on a fresh copy; resolves when it exits (or after 20 s). */
  async function runHolder(mode: 'signal' | 'forget') {
    const dataDir = join(dir, `holder-${++count}`, 'pglite');
    await copyMigratedPglite(dataDir);
    const child = fork(HOLDER, [dataDir, mode], { execArgv: ['--import', 'tsx'], stdio: 'pipe' });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const exited = new Promise<number | string | null>((resolve) =>
      child.once('exit', (code, signal) => resolve(code ?? signal)),
    );
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      void exited.then(() =>
        reject(new Error(`the holder exited before it was ready:\n${output}`)),
      );
    });
    const sentAt = Date.now();
    if (mode === 'signal') child.kill('SIGTERM');
    const timeout = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await exited;
    clearTimeout(timeout);
    return { code, exitMs: Date.now() - sentAt, dataDir, output };
  }

  it('SIGTERM closes PGlite in its worker, gives up the lock and exits promptly', async () => {
    const { code, exitMs, dataDir, output } = await runHolder('signal');
    expect(code, output).toBe(143); // 128 + SIGTERM, as the signal itself would end it
    expect(exitMs).toBeLessThan(10_000);
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false); // closed, not abandoned
  }, 60_000);

  it('a script that never closes the database still ends (an idle worker keeps no process alive)', async () => {
    const { code, exitMs, output } = await runHolder('forget');
    expect(code, output).toBe(0);
    expect(exitMs).toBeLessThan(10_000);
  }, 60_000);
});
