/**
 * How much of the main thread one statement on the embedded database costs: PGlite opened in the
 * main thread (how the kit ran it before it had a worker) against PGlite in its worker thread
 * (`openDatabase()`, how the kit runs it now). The main thread's busy time comes from
 * `performance.eventLoopUtilization()` over a run of statements from several concurrent callers,
 * as a server's requests would issue them.
 *
 *   npx tsx scripts/pglite-main-thread.ts [statements=4000] [callers=8]
 *
 * Not a test and not part of the benchmark (tests/bench): a measurement to quote, with the
 * machine's load beside it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../src/db/client';
import { openPglite } from '../src/db/pglite';

type Run = (text: string, params: unknown[]) => Promise<unknown>;

const STATEMENTS = Number(process.argv[2] ?? 4000);
const CALLERS = Number(process.argv[3] ?? 8);

/** A read and a write, as a refresh does: look a row up by key, then update it. */
const READ = 'select id, n, tag from probe where id = $1';
const WRITE = 'update probe set n = n + 1 where id = $1 returning n';

async function prepare(run: Run) {
  await run(
    'create table probe (id integer primary key, n integer not null, tag text not null)',
    [],
  );
  await run(`insert into probe select i, 0, md5(i::text) from generate_series(1, 1000) as i`, []);
}

async function measure(name: string, run: Run) {
  await prepare(run);
  // Warm up: the first statements plan and compile.
  for (let i = 0; i < 200; i++) await run(i % 2 ? READ : WRITE, [1 + (i % 1000)]);
  let next = 0;
  const caller = async () => {
    for (let i = next++; i < STATEMENTS; i = next++)
      await run(i % 2 ? READ : WRITE, [1 + (i % 1000)]);
  };
  const before = performance.eventLoopUtilization();
  const started = performance.now();
  await Promise.all(Array.from({ length: CALLERS }, caller));
  const wallMs = performance.now() - started;
  const { active } = performance.eventLoopUtilization(before);
  console.log(
    `${name.padEnd(26)} main thread ${(active / STATEMENTS).toFixed(3)} ms/statement, ` +
      `${Math.round((STATEMENTS / wallMs) * 1000)} statements/s, wall ${Math.round(wallMs)} ms`,
  );
}

const dir = mkdtempSync(join(tmpdir(), 'kit-pglite-main-thread-'));
try {
  console.log(
    `${STATEMENTS} statements (a read and a write by key, alternately) from ${CALLERS} concurrent callers; load average ${loadavg()
      .map((n) => n.toFixed(1))
      .join(' ')}`,
  );
  {
    const pg = await openPglite(join(dir, 'in-thread'));
    await measure('PGlite in the main thread', (text, params) => pg.query(text, params));
    await pg.close();
  }
  {
    const handle = await openDatabase({ driver: 'pglite', dataDir: join(dir, 'worker', 'pglite') });
    const host = (handle.db as unknown as { $client: { query: Run } }).$client;
    await measure('PGlite in its worker', (text, params) => host.query(text, params));
    await handle.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
