import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '@/db/client';
import { isConnectionError } from '@/db/errors';
import { queryRows } from '@/db/execute';
import {
  configureNeonForLocalProxy,
  startNeonWsProxy,
  type NeonWsProxy,
} from '../../support/neon-ws-proxy';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy';
import {
  createScratchDatabase,
  POSTGRES_URL,
  postgresReachable,
  skipWithoutPostgres,
} from '../../support/databases';

/**
 * A transaction (the social exchange's find-or-create, a revocation) whose database stalls: the
 * network drops the traffic without an error or a reset, and the client's reply deadline
 * (DATABASE_TIMEOUT + 1 s) ends the wait. The connection that timed out still waits for its
 * reply, inside the transaction: given back to the pool, the next request's statements would run
 * in that transaction and be lost when the server ends it.
 */

/** DATABASE_TIMEOUT here: short, so the stall test takes seconds. */
const TIMEOUT_SECONDS = 1;
/** The reply deadline of one statement (the timeout + 1 s, src/db/client.ts), plus slack. */
const ONE_DEADLINE_MS = (TIMEOUT_SECONDS + 1) * 1000 + 1_500;

let neonProxy: NeonWsProxy | undefined;

beforeAll(async () => {
  if (!(await postgresReachable())) return;
  neonProxy = await startNeonWsProxy();
  configureNeonForLocalProxy(neonProxy.port);
});
afterAll(async () => {
  await neonProxy?.close();
});

describe.each(['pg', 'neon'] as const)('a transaction whose database stalls (%s)', (driver) => {
  let proxy: TcpProxy | null = null;
  let handle: DatabaseHandle | null = null;
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>> | null = null;

  beforeAll(async () => {
    if (!(await postgresReachable())) return;
    scratch = await createScratchDatabase();
    const target = new URL(POSTGRES_URL);
    proxy = await startTcpProxy({
      targetHost: target.hostname,
      targetPort: Number(target.port || 5432),
    });
    handle = await openDatabase({
      driver,
      url: proxy.url(scratch.url),
      timeoutSeconds: TIMEOUT_SECONDS,
    });
    await handle.db.execute(sql`create table probe (n integer not null)`);
  });
  afterAll(async () => {
    await handle?.close();
    await proxy?.close();
    await scratch?.drop();
  });

  /** The rows committed to `probe`, read on a connection of its own (no proxy, no pool). */
  async function committed(): Promise<number[]> {
    const client = new pg.Client({ connectionString: scratch!.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: number }>('select n from probe order by n');
      return rows.map((row) => row.n);
    } finally {
      await client.end();
    }
  }

  /** Ends a session from the server's side, as idle_in_transaction_session_timeout or a restart does. */
  async function terminate(pid: number): Promise<void> {
    const client = new pg.Client({ connectionString: scratch!.url });
    await client.connect();
    try {
      await client.query('select pg_terminate_backend($1)', [pid]);
    } finally {
      await client.end();
    }
  }

  it('fails within one reply deadline, and the pool hands out no connection left inside it', async (context) => {
    skipWithoutPostgres(context, handle);
    skipWithoutPostgres(context, proxy);
    const started = Date.now();
    const failed = await handle.db
      .transaction(async (tx) => {
        await tx.execute(sql`insert into probe values (1)`);
        proxy!.stall();
        await tx.execute(sql`insert into probe values (2)`);
      })
      .then(
        () => null,
        (error: unknown) => error,
      );
    const elapsedMs = Date.now() - started;
    expect(failed).not.toBeNull();
    expect(isConnectionError(failed)).toBe(true);
    // Not a second deadline spent waiting for a ROLLBACK queued behind the unanswered statement.
    expect(elapsedMs).toBeLessThan(ONE_DEADLINE_MS);

    // The network comes back: what was held is delivered, the stalled statement's reply included.
    proxy.restore();
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The next write goes through the pool. On the connection the stall left inside the
    // transaction it would only join that transaction, never to be committed.
    await handle.db.execute(sql`insert into probe values (3)`);
    expect(await committed()).toEqual([3]);
    const [row] = await queryRows<{ open: number }>(
      handle.db,
      sql`select count(*)::int as open from pg_stat_activity
          where datname = current_database() and state like 'idle in transaction%'`,
    );
    expect(row?.open).toBe(0);
  });

  it('fails with a connection error, not an uncaught one, when the server ends a session mid-transaction', async (context) => {
    skipWithoutPostgres(context, handle);
    const failed = await handle.db
      .transaction(async (tx) => {
        const [row] = await queryRows<{ pid: number }>(tx, sql`select pg_backend_pid() as pid`);
        await terminate(row!.pid);
        // The hang-up arrives while the connection is checked out (no pool listener on it).
        await new Promise((resolve) => setTimeout(resolve, 300));
        await tx.execute(sql`insert into probe values (4)`);
      })
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(isConnectionError(failed)).toBe(true);
    await handle.db.execute(sql`insert into probe values (5)`);
    expect(await committed()).toEqual([3, 5]);
  });
});
