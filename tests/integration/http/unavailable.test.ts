import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../support/http-client';
import { type KitServer } from '../../support/kit-servers';
import { startNextServer, type NextServer } from '../../support/next-server';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy';
import { expectError } from '../../support/assertions';
import {
  cloneClient,
  PATHS,
  refresh,
  signIn,
  sleep,
  startWarmKit,
  warmUp,
  type TokenBody,
} from '../../support/requests';
import { skipWithoutPostgres } from '../../support/databases';

const PASSWORD = 'correct-horse-battery';
/** DATABASE_TIMEOUT of the server behind the proxy: short, so a stall test takes seconds. */
const DATABASE_TIMEOUT_SECONDS = 2;
/** How long a stall lasts: far longer than the timeout, so waiting it out cannot pass the test. */
const STALL_MS = 15_000;
/** The most a request may be held by a stall: the reply deadline (timeout + 1 s), plus slack. */
const STALL_ANSWER_BOUND_MS = (DATABASE_TIMEOUT_SECONDS + 1) * 1000 + 2_500;

/**
 * The database cut off mid-run (docs/contract.md section 2, `service_unavailable`): a TCP proxy sits
 * between a `next start` and the test PostgreSQL, and drops every connection on demand. The shared
 * PostgreSQL server itself is never stopped. PGlite lives inside the server process: nothing to cut,
 * so the file runs on PostgreSQL only.
 */
describe.each(['pg'] as const)('a lost database over next start on %s', (backend) => {
  let kit: KitServer | null = null;
  let proxy: TcpProxy | null = null;
  // The server under test: same env and database as `kit`, reached through the proxy.
  let behindProxy: NextServer | null = null;
  let client: HttpClient;
  let session: TokenBody;

  beforeAll(async () => {
    kit = await startWarmKit(backend, { users: [{ username: 'cut-user', password: PASSWORD }] });
    if (!kit) return;
    const databaseUrl = kit.env.DATABASE_URL!;
    const target = new URL(databaseUrl);
    proxy = await startTcpProxy({
      targetHost: target.hostname,
      targetPort: Number(target.port || 5432),
    });
    behindProxy = await startNextServer({
      ...kit.env,
      DATABASE_URL: proxy.url(databaseUrl),
      DATABASE_TIMEOUT: String(DATABASE_TIMEOUT_SECONDS),
    });
    await warmUp(behindProxy);
    client = new HttpClient(behindProxy.url);
    session = (await signIn(client, 'cut-user', PASSWORD)).body;
  });
  afterAll(async () => {
    proxy?.restore();
    await behindProxy?.stop();
    await proxy?.close();
    await kit?.stop();
  });

  describe('while the database is cut off', () => {
    beforeAll(() => proxy?.cut());
    afterAll(() => proxy?.restore());

    it('answers sign-in with 503 service_unavailable and Retry-After, and sets no cookie', async (context) => {
      skipWithoutPostgres(context, behindProxy);
      const response = await new HttpClient(behindProxy.url).post(PATHS.signIn, {
        username: 'cut-user',
        password: PASSWORD,
      });
      const retryAfter = Number(response.headers.get('retry-after'));
      expect(response.headers.getSetCookie()).toEqual([]);
      await expectError(response, 503, 'service_unavailable');
      expect(retryAfter).toBeGreaterThan(0);
    });

    it('answers refresh with 503 service_unavailable and Retry-After, and leaves the cookies untouched', async (context) => {
      skipWithoutPostgres(context, behindProxy);
      const response = await refresh(cloneClient(client), session.CSRF_token);
      const retryAfter = Number(response.headers.get('retry-after'));
      expect(response.headers.getSetCookie()).toEqual([]);
      await expectError(response, 503, 'service_unavailable');
      expect(retryAfter).toBeGreaterThan(0);
    });

    it('answers every attempt with 503, not only the first', async (context) => {
      skipWithoutPostgres(context, behindProxy);
      const statuses = [];
      for (let i = 0; i < 3; i++)
        statuses.push((await refresh(cloneClient(client), session.CSRF_token)).status);
      expect(statuses).toEqual([503, 503, 503]);
    });
  });

  /** Retries for a few seconds: the pool may need one round to replace its dropped connections. */
  async function eventually(send: () => Promise<Response>): Promise<Response> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const response = await send();
      if (response.status !== 503 || Date.now() > deadline) return response;
      await sleep(250);
    }
  }

  describe('once the database is back', () => {
    it('signs in again', async (context) => {
      skipWithoutPostgres(context, behindProxy);
      const response = await eventually(() =>
        new HttpClient(behindProxy!.url).post(PATHS.signIn, {
          username: 'cut-user',
          password: PASSWORD,
        }),
      );
      expect(response.status).toBe(200);
    });

    it('refreshes the session that existed before the cut', async (context) => {
      skipWithoutPostgres(context, behindProxy);
      const response = await eventually(() => refresh(client, session.CSRF_token));
      expect(response.status).toBe(200);
    });
  });

  /**
   * A stall: the network drops the traffic without an error or a reset (the proxy holds every
   * byte, both ways, on open and new connections), for far longer than the database timeout.
   * Without a deadline the request is held as long as the stall lasts.
   */
  describe('while the database stalls', () => {
    let lift: NodeJS.Timeout | undefined;
    beforeAll(() => {
      proxy?.stall();
      lift = setTimeout(() => proxy?.restore(), STALL_MS);
    });
    afterAll(() => {
      clearTimeout(lift);
      proxy?.restore();
    });

    /** Sends one request and measures how long its answer took. */
    async function timed(send: () => Promise<Response>) {
      const started = Date.now();
      const response = await send();
      const text = await response.text();
      return { response, text, elapsedMs: Date.now() - started };
    }

    it(
      'answers sign-in with a prompt 503 and Retry-After, and sets no cookie',
      async (context) => {
        skipWithoutPostgres(context, behindProxy);
        const { response, text, elapsedMs } = await timed(() =>
          new HttpClient(behindProxy!.url).post(PATHS.signIn, {
            username: 'cut-user',
            password: PASSWORD,
          }),
        );
        console.log(`[stall] sign-in answered ${response.status} after ${elapsedMs} ms`);
        expect({ status: response.status, elapsedMs }).toEqual({
          status: 503,
          elapsedMs: expect.any(Number),
        });
        expect(elapsedMs).toBeLessThan(STALL_ANSWER_BOUND_MS);
        expect(JSON.parse(text)).toMatchObject({ code: 'service_unavailable' });
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(response.headers.getSetCookie()).toEqual([]);
      },
      STALL_MS + 10_000,
    );

    it(
      'answers refresh with a prompt 503 and leaves the cookies untouched',
      async (context) => {
        skipWithoutPostgres(context, behindProxy);
        const { response, elapsedMs } = await timed(() =>
          refresh(cloneClient(client), session.CSRF_token),
        );
        console.log(`[stall] refresh answered ${response.status} after ${elapsedMs} ms`);
        expect(response.status).toBe(503);
        expect(elapsedMs).toBeLessThan(STALL_ANSWER_BOUND_MS);
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(response.headers.getSetCookie()).toEqual([]);
      },
      STALL_MS + 10_000,
    );
  });

  describe('once the stall is over', () => {
    beforeAll(() => proxy?.restore());

    it('refreshes the session again', async (context) => {
      skipWithoutPostgres(context, behindProxy);
      const response = await eventually(() => refresh(client, session.CSRF_token));
      expect(response.status).toBe(200);
    });
  });
});
