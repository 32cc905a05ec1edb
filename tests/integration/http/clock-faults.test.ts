import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../support/http-client';
import { startKit, type KitServer } from '../../support/kit-servers';
import { startNextServer, type NextServer } from '../../support/next-server';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy';
import { cookiesByName, jwtOfSignedCookie, REFRESH_COOKIE } from '../../support/cookies';
import { cloneClient, refresh, signIn, sleep, warmUp } from '../../support/requests';
import { skipWithoutPostgres } from '../../support/databases';

const PASSWORD = 'correct-horse-battery';
const GRACE_SECONDS = 1;
/** When the client gives up on its first refresh and retries, after the stall began. */
const CLIENT_TIMEOUT_MS = 1_500;
/** How long the database connection stalls: longer than the grace window and the client's wait. */
const STALL_MS = 2_500;
/** How far ahead the skewed instance's clock runs. */
const SKEW_MS = 20_000;

/** The refresh jti a 200 set in its cookie, or the status when it is not a 200. */
async function successorOf(response: Response): Promise<string | number> {
  await response.arrayBuffer();
  const cookie = cookiesByName(response)[REFRESH_COOKIE];
  if (response.status !== 200 || !cookie?.value) return response.status;
  return String(decodeJwt(jwtOfSignedCookie(cookie.value)).jti);
}

/** A client holding `response`'s refresh cookie (the one that got that answer). */
function holder(origin: HttpClient, response: Response): HttpClient {
  const client = cloneClient(origin);
  client.absorb(response);
  return client;
}

describe('clock faults over next start on PostgreSQL', () => {
  let proxy: TcpProxy | null = null;
  let kit: KitServer | null = null;
  let skewed: NextServer | null = null;

  beforeAll(async () => {
    proxy = await startTcpProxy({ targetHost: '127.0.0.1', targetPort: 5432 });
    kit = await startKit('pg', {
      env: { AUTH_REUSE_GRACE_WINDOW: String(GRACE_SECONDS), AUTH_THROTTLE: 'off' },
      users: ['stalled', 'skew-fast-retries', 'skew-fast-rotates'].map((username) => ({
        username,
        password: PASSWORD,
      })),
      routeDatabaseUrl: (url) => proxy!.url(url),
    });
    if (!kit) return;
    // A second instance on the same database (through the same proxy) whose clock runs ahead.
    skewed = await startNextServer(
      { ...kit.env, KIT_TEST_CLOCK_OFFSET_MS: String(SKEW_MS) },
      { nodeArgs: ['--require', join(process.cwd(), 'tests/support/clock-offset.cjs')] },
    );
    await Promise.all([warmUp(kit), warmUp(skewed)]);
  });
  afterAll(async () => {
    await skewed?.stop();
    await kit?.stop();
    await proxy?.close();
  });

  it('keeps the session when a client retries a refresh whose rotation stalled past the grace window', async (context) => {
    skipWithoutPostgres(context, kit);
    skipWithoutPostgres(context, proxy);
    const origin = new HttpClient(kit.url);
    const { body } = await signIn(origin, 'stalled', PASSWORD);
    const stall = proxy.stallRequests();
    const first = refresh(cloneClient(origin), body.CSRF_token);
    await sleep(CLIENT_TIMEOUT_MS);
    // The client gave up waiting and retries with the same cookie.
    const retry = refresh(cloneClient(origin), body.CSRF_token);
    await sleep(STALL_MS - CLIENT_TIMEOUT_MS);
    // The first refresh's statement reaches the database first and rotates; the retry follows.
    await stall.release(150);
    const [firstResponse, retryResponse] = await Promise.all([first, retry]);
    const [firstSuccessor, retrySuccessor] = await Promise.all([
      successorOf(firstResponse),
      successorOf(retryResponse),
    ]);
    expect(typeof firstSuccessor).toBe('string');
    expect(retrySuccessor).toBe(firstSuccessor);
    // The session survived: the successor refreshes.
    const next = await refresh(holder(origin, retryResponse), body.CSRF_token);
    expect(next.status).toBe(200);
  });

  it('keeps the session when the retry lands on an instance whose clock is 20 s ahead', async (context) => {
    skipWithoutPostgres(context, kit);
    skipWithoutPostgres(context, skewed);
    const origin = new HttpClient(kit.url);
    const { body } = await signIn(origin, 'skew-fast-retries', PASSWORD);
    const rotated = await refresh(cloneClient(origin), body.CSRF_token);
    await sleep(100);
    const retried = await refresh(cloneClient(origin, { baseUrl: skewed.url }), body.CSRF_token);
    expect(await successorOf(retried)).toBe(await successorOf(rotated));
    const next = await refresh(holder(origin, retried), body.CSRF_token);
    expect(next.status).toBe(200);
  });

  it('keeps the session when the instance whose clock is 20 s ahead rotates and the other takes the retry', async (context) => {
    skipWithoutPostgres(context, kit);
    skipWithoutPostgres(context, skewed);
    const origin = new HttpClient(skewed.url);
    const { body } = await signIn(origin, 'skew-fast-rotates', PASSWORD);
    // The skewed instance really runs ahead: its tokens say so.
    expect(decodeJwt(body.access_token).iat! * 1000).toBeGreaterThan(Date.now() + SKEW_MS / 2);
    const rotated = await refresh(cloneClient(origin), body.CSRF_token);
    await sleep(100);
    const retried = await refresh(cloneClient(origin, { baseUrl: kit.url }), body.CSRF_token);
    expect(await successorOf(retried)).toBe(await successorOf(rotated));
    const next = await refresh(holder(origin, retried), body.CSRF_token);
    expect(next.status).toBe(200);
  });
});
