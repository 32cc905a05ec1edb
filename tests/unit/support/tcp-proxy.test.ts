import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy';

const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** Rejects if `promise` has not settled within `ms`, so a hang fails the test instead of timing out. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe('tcp proxy', () => {
  let proxy: TcpProxy;
  const clients: pg.Client[] = [];

  function client(): pg.Client {
    const c = new pg.Client({
      connectionString: proxy.url(DATABASE_URL),
      connectionTimeoutMillis: 3_000,
    });
    c.on('error', () => {}); // a cut surfaces as an 'error' event on idle clients
    clients.push(c);
    return c;
  }

  beforeAll(async () => {
    proxy = await startTcpProxy({ targetHost: '127.0.0.1', targetPort: 5432 });
  });

  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.end()));
    await proxy.close();
  });

  it('rewrites only the host and port of a database URL', () => {
    expect(proxy.url('postgres://u:p%40ss@db.example.com:6543/app?sslmode=disable')).toBe(
      `postgres://u:p%40ss@127.0.0.1:${proxy.port}/app?sslmode=disable`,
    );
  });

  it('forwards, cuts, refuses while cut, and recovers after restore', async () => {
    const first = client();
    await first.connect();
    const { rows } = await first.query<{ one: number }>('select 1 as one');
    expect(rows).toEqual([{ one: 1 }]);
    expect(proxy.connections()).toBe(1);

    const inFlight = first.query('select pg_sleep(5)');
    await new Promise((resolve) => setTimeout(resolve, 100));
    proxy.cut();
    await expect(within(inFlight, 3_000)).rejects.toThrow(/terminated|ECONNRESET|reset/i);
    await expect(within(first.query('select 1'), 3_000)).rejects.toThrow(
      /not queryable|terminated/i,
    );
    expect(proxy.connections()).toBe(0);

    const whileCut = client();
    await expect(within(whileCut.connect(), 3_000)).rejects.toThrow(/ECONNRESET|terminated|reset/i);

    proxy.restore();
    const after = client();
    await after.connect();
    expect((await after.query<{ x: number }>('select 2 as x')).rows).toEqual([{ x: 2 }]);
  });

  it('holds a hang-up during a stall, as it holds bytes, and delivers it on restore', async () => {
    const stalled = client();
    await stalled.connect();
    let ended = false;
    stalled.on('end', () => (ended = true));
    const pid = (await stalled.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!
      .pid;
    proxy.stall();
    // The server ends the session (as idle_in_transaction_session_timeout would) during the stall.
    const direct = new pg.Client({ connectionString: DATABASE_URL });
    await direct.connect();
    try {
      await direct.query('select pg_terminate_backend($1)', [pid]);
    } finally {
      await direct.end();
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(ended).toBe(false);
    proxy.restore();
    await within(
      new Promise<void>((resolve) => (ended ? resolve() : stalled.once('end', () => resolve()))),
      3_000,
    );
    expect(ended).toBe(true);
  });
});
