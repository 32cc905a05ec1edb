import { sql } from 'drizzle-orm';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { HttpClient } from '../../support/http-client';
import {
  HTTP_BACKENDS,
  describeOnPostgres,
  itOnPostgres,
  type KitServer,
} from '../../support/kit-servers';
import { startNextServer, type NextServer } from '../../support/next-server';
import {
  cookiesByName,
  jwtOfSignedCookie,
  refreshClaims,
  REFRESH_COOKIE,
} from '../../support/cookies';
import { cloneClient, refresh, signIn, type TokenBody, startWarmKit } from '../../support/requests';
import { skipWithoutPostgres } from '../../support/databases';

const PASSWORD = 'correct-horse-battery';
const RACERS = 20;

interface RaceResult {
  statuses: number[];
  /** The refresh jti each 200 set in its cookie. */
  successorJtis: string[];
  /** One of the clients that got a 200 (holding the successor). */
  winner: HttpClient | undefined;
  csrf: string;
  sid: string;
  originalJti: string;
}

/**
 * Signs in once, then sends RACERS refreshes with that one cookie at the same moment, spread over
 * the given base URLs (one or two `next start` instances on the same database).
 */
async function race(baseUrls: string[], username: string): Promise<RaceResult> {
  const origin = new HttpClient(baseUrls[0]!);
  const { body } = await signIn(origin, username, PASSWORD);
  const { sid, jti: originalJti } = refreshClaims(origin);
  const clients = Array.from({ length: RACERS }, (_, i) =>
    cloneClient(origin, { baseUrl: baseUrls[i % baseUrls.length]! }),
  );
  const responses = await Promise.all(clients.map((client) => refresh(client, body.CSRF_token)));
  const successorJtis: string[] = [];
  for (const response of responses) {
    if (response.status !== 200) continue;
    const cookie = cookiesByName(response)[REFRESH_COOKIE];
    successorJtis.push(
      cookie ? String(decodeJwt(jwtOfSignedCookie(cookie.value!)).jti) : 'no refresh cookie',
    );
    await response.json().catch(() => undefined);
  }
  const winnerIndex = responses.findIndex((r) => r.status === 200);
  return {
    statuses: responses.map((r) => r.status),
    successorJtis,
    winner: winnerIndex >= 0 ? clients[winnerIndex] : undefined,
    csrf: body.CSRF_token,
    sid,
    originalJti,
  };
}

/** The outstanding tokens of a session that are still live: not rotated, not blacklisted, not expired. */
async function liveTokens(db: Database, sid: string): Promise<string[]> {
  const result = (await db.execute(sql`
    select o.jti from outstanding_tokens o
    where o.sid = ${sid} and o.rotated_at is null and o.expires_at > now()
      and not exists (select 1 from blacklisted_tokens b where b.token_id = o.id)`)) as unknown as {
    rows: { jti: string }[];
  };
  return result.rows.map((row) => row.jti);
}

describe.each(HTTP_BACKENDS)('concurrent refreshes over next start on %s', (backend) => {
  let kit: KitServer | null = null;
  // A second `next start` on the same PostgreSQL database, same secrets (pg only).
  let twin: NextServer | null = null;

  beforeAll(async () => {
    kit = await startWarmKit(backend, {
      users: [
        'racer-statuses',
        'racer-live',
        'racer-usable',
        'twin-statuses',
        'twin-live',
        'twin-usable',
      ].map((username) => ({ username, password: PASSWORD })),
    });
    if (kit && backend === 'pg') twin = await startNextServer(kit.env);
  });
  afterAll(async () => {
    await twin?.stop();
    await kit?.stop();
  });

  describe('one instance', () => {
    it(`answers ${RACERS} concurrent refreshes of one cookie without a 500, every 200 carrying the same successor`, async (context) => {
      skipWithoutPostgres(context, kit);
      const result = await race([kit.url], 'racer-statuses');
      expect(result.statuses.filter((s) => s >= 500)).toEqual([]);
      expect(result.statuses).toEqual(Array(RACERS).fill(200));
      expect(new Set(result.successorJtis).size).toBe(1);
      expect(result.successorJtis[0]).not.toBe(result.originalJti);
    });

    itOnPostgres(backend)(
      `leaves exactly one live outstanding token in the session after ${RACERS} concurrent refreshes`,
      async (context) => {
        skipWithoutPostgres(context, kit?.database);
        const result = await race([kit.url], 'racer-live');
        const live = await liveTokens(kit.database.db, result.sid);
        expect(live).toHaveLength(1);
        expect(live[0]).toBe(result.successorJtis[0]);
      },
    );

    it('keeps the session usable after the race: the successor refreshes', async (context) => {
      skipWithoutPostgres(context, kit);
      const result = await race([kit.url], 'racer-usable');
      expect(result.winner).toBeDefined();
      const response = await refresh(result.winner!, result.csrf);
      expect(response.status).toBe(200);
      expect(((await response.json()) as TokenBody).access_token).toBeTruthy();
    });
  });

  describeOnPostgres(backend)('two instances on one database', () => {
    it(`answers ${RACERS} refreshes of one cookie split over two instances with one successor and no 500`, async (context) => {
      skipWithoutPostgres(context, kit);
      skipWithoutPostgres(context, twin);
      const result = await race([kit.url, twin.url], 'twin-statuses');
      expect(result.statuses.filter((s) => s >= 500)).toEqual([]);
      expect(result.statuses).toEqual(Array(RACERS).fill(200));
      expect(new Set(result.successorJtis).size).toBe(1);
    });

    it('leaves exactly one live outstanding token after the two-instance race', async (context) => {
      skipWithoutPostgres(context, kit?.database);
      skipWithoutPostgres(context, twin);
      const result = await race([kit.url, twin.url], 'twin-live');
      const live = await liveTokens(kit.database.db, result.sid);
      expect(live).toHaveLength(1);
      expect(live[0]).toBe(result.successorJtis[0]);
    });

    it('keeps the session usable on either instance after the two-instance race', async (context) => {
      skipWithoutPostgres(context, kit);
      skipWithoutPostgres(context, twin);
      const result = await race([kit.url, twin.url], 'twin-usable');
      expect(result.winner).toBeDefined();
      const onFirst = cloneClient(result.winner!, { baseUrl: kit.url });
      expect((await refresh(onFirst, result.csrf)).status).toBe(200);
      const onTwin = cloneClient(onFirst, { baseUrl: twin.url });
      expect((await refresh(onTwin, result.csrf)).status).toBe(200);
    });
  });
});
