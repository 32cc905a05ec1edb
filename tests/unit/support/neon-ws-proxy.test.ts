import { Pool } from '@neondatabase/serverless';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/neon-serverless';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  configureNeonForLocalProxy,
  startNeonWsProxy,
  type NeonWsProxy,
} from '../../support/neon-ws-proxy';

describe('neon ws proxy', () => {
  let proxy: NeonWsProxy;
  let pool: Pool;

  beforeAll(async () => {
    proxy = await startNeonWsProxy();
    configureNeonForLocalProxy(proxy.port);
    pool = new Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
  });

  afterAll(async () => {
    await pool.end();
    await proxy.close();
  });

  it('runs plain and parameterised queries through the Neon driver', async () => {
    expect((await pool.query('select 1 as x')).rows).toEqual([{ x: 1 }]);
    const { rows } = await pool.query('select $1::int + $2::int as sum, $3::text as word', [
      2,
      3,
      'hi',
    ]);
    expect(rows).toEqual([{ sum: 5, word: 'hi' }]);
  });

  it('runs an interactive transaction on one pooled connection', async () => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('create temp table neon_proxy_probe (id int) on commit drop');
      await client.query('insert into neon_proxy_probe values ($1), ($2)', [1, 2]);
      const { rows } = await client.query('select count(*)::int as n from neon_proxy_probe');
      expect(rows).toEqual([{ n: 2 }]);
      await client.query('ROLLBACK');
      await expect(client.query('select * from neon_proxy_probe')).rejects.toThrow(
        /does not exist/,
      );
    } finally {
      client.release();
    }
  });

  it('serves drizzle-orm/neon-serverless', async () => {
    const db = drizzle({ client: pool });
    const result = await db.execute(sql`select 1 as one`);
    expect(result.rows).toEqual([{ one: 1 }]);
  });

  it('refuses non-loopback targets and unknown paths', async () => {
    const status = (path: string) =>
      new Promise<number | undefined>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${proxy.port}${path}`);
        ws.on('unexpected-response', (_req, res) => {
          resolve(res.statusCode);
          ws.terminate();
        });
        ws.on('open', () => {
          resolve(101);
          ws.close();
        });
        ws.on('error', () => resolve(undefined));
      });
    expect(await status('/v2?address=10.0.0.1:5432')).toBe(403);
    expect(await status('/v2?address=example.com:5432')).toBe(403);
    expect(await status('/v2')).toBe(403);
    expect(await status('/v1?address=127.0.0.1:5432')).toBe(404);
  });
});
