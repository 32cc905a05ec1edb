import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { decodeJwt } from 'jose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthOptions } from '@/auth/config/types';
import type { AuthContext } from '@/auth/context';
import { TokenNotValid } from '@/auth/errors';
import { refreshTokens } from '@/auth/sessions/rotate';
import type { ClientInfo } from '@/auth/client-info';
import { openSession } from '@/auth/sessions/open';
import { deactivateUser } from '@/auth/services/users';
import { verifyRefreshToken } from '@/auth/tokens/verify';
import type { Database } from '@/db/client';
import { revokeSession, revokeUserSessions, startSession } from '@/db/queries/sessions';
import { consumeRefreshToken } from '@/db/queries/tokens';
import {
  openTestDatabase,
  stopTestDatabaseServices,
  type TestDatabase,
  skipWithoutPostgres,
} from '../../support/databases';
import { testContext } from '../../support/auth-context';
import { sessionStates } from '../../support/sessions';
import { insertTestUser } from '../../support/users';

afterAll(stopTestDatabaseServices);

const HOUR = 3_600_000;
const CLIENT: ClientInfo = { address: '127.0.0.1', userAgent: 'vitest' };
/** Refresh + revocation pairs per kind, all started at once on the pool's connections. */
const PAIRS = 40;

const scratch = mkdtempSync(join(tmpdir(), 'kit-clocks-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The services' context on `db`, throttling off (these suites sign in through openSession). */
const contextOn = async (db: Database, options: AuthOptions = {}): Promise<AuthContext> =>
  (await testContext(db, { throttle: false, ...options }, { nodeEnv: 'test', dataDir: scratch }))
    .ctx;

/** A session of a fresh user with one live refresh token, written straight through the queries. */
async function freshSession(db: Database, name: string) {
  const user = await insertTestUser(db, `${name}-${randomUUID().slice(0, 8)}`);
  const now = new Date();
  const session = { sid: randomUUID(), jti: randomUUID().replaceAll('-', ''), userId: user.id };
  await startSession(db, {
    ...session,
    now,
    tokenExpiresAt: new Date(now.getTime() + HOUR),
    sessionExpiresAt: new Date(now.getTime() + 2 * HOUR),
    userAgent: 'vitest',
    ipAddress: '127.0.0.1',
    authTime: now,
    amr: ['pwd'],
  });
  return { ...session, username: user.username };
}

/** The refresh token an answer carries, as claims (ECDSA signatures differ on every signing). */
const refreshTokenOf = (issued: { refreshToken: string }) => {
  const { jti, exp, sid } = decodeJwt(issued.refreshToken);
  return { jti, exp, sid };
};

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: unknown) => error,
  );

/** Every way the kit revokes sessions, as the services call the queries. */
const REVOCATIONS = {
  'log-off or reuse detection': (db: Database, s: { sid: string }) => revokeSession(db, s.sid),
  'a session revoke': (db: Database, s: { sid: string; userId: number }) =>
    revokeSession(db, s.sid, s.userId),
  'log-off everywhere or a new password': (db: Database, s: { userId: number }) =>
    revokeUserSessions(db, s.userId),
  deactivation: (db: Database, s: { username: string }) => deactivateUser(db, s.username),
} as const;

/**
 * Holds the row locks of `sids` from a connection of its own until `release()`, so that the
 * statements started meanwhile are sure to meet at those rows, and waits for `waiters` of them to
 * be blocked there.
 */
async function holdSessionRows(url: string, sids: string[]) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('begin');
  await client.query('select 1 from sessions where sid = any($1::uuid[]) for update', [sids]);
  return {
    async waitForWaiters(waiters: number) {
      const deadline = Date.now() + 10_000;
      for (;;) {
        // Inside the holding transaction the activity view is a snapshot: clear it on each look.
        await client.query('select pg_stat_clear_snapshot()');
        const { rows } = await client.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity
           where datname = current_database() and wait_event_type = 'Lock'`,
        );
        if (rows[0]!.n >= waiters) return;
        if (Date.now() > deadline) throw new Error(`only ${rows[0]!.n} of ${waiters} are waiting`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async release() {
      await client.query('commit');
      await client.end();
    },
  };
}

describe.each(['pg', 'pglite'] as const)('refresh rules in process on %s', (driver) => {
  let t: TestDatabase | null = null;

  beforeAll(async () => {
    t = await openTestDatabase(driver);
  });
  afterAll(async () => {
    await t?.dispose();
  });

  describe('a rotation racing a revocation (real connections racing on PostgreSQL)', () => {
    it.for(Object.keys(REVOCATIONS) as (keyof typeof REVOCATIONS)[])(
      `${PAIRS} rotations racing %s: no error, and no live token left in any session`,
      async (kind, context) => {
        skipWithoutPostgres(context, t);
        const db = t.db;
        const sessions = await Promise.all(
          Array.from({ length: PAIRS }, () => freshSession(db, 'race')),
        );
        const outcomes = await Promise.all(
          sessions.map(async (s) => {
            const now = new Date();
            const rotation = consumeRefreshToken(db, {
              jti: s.jti,
              newJti: randomUUID().replaceAll('-', ''),
              now,
              validAt: now,
              newExpiresAt: new Date(now.getTime() + HOUR),
              blacklist: true,
            });
            const [rotationError, revocationError] = await Promise.all([
              rejection(rotation),
              rejection(REVOCATIONS[kind](db, s)),
            ]);
            return { rotationError, revocationError, rotated: await rotation.catch(() => null) };
          }),
        );
        expect(outcomes.map((o) => String(o.rotationError ?? o.revocationError ?? ''))).toEqual(
          Array(PAIRS).fill(''),
        );
        const rows = await sessionStates(
          db,
          sessions.map((s) => s.sid),
        );
        expect(rows).toHaveLength(PAIRS);
        // A rotation that won left its successor in the session, and the revocation took it too.
        expect(rows.filter((r) => !r.revoked || r.unlisted > 0)).toEqual([]);
      },
    );
  });

  // Statements held at a row lock from several connections at once: PostgreSQL's pool only
  // (PGlite runs one statement at a time), so it is declared there only.
  (driver === 'pg' ? describe : () => {})(
    'a rotation and a revocation that meet at the session row',
    () => {
      // As many statements as the pool has connections: all of them are in flight at once.
      const MET = 5;
      it.for(Object.keys(REVOCATIONS) as (keyof typeof REVOCATIONS)[])(
        `${MET} rotations and %s, held at the session rows and released together: no error, no live token`,
        async (kind, context) => {
          skipWithoutPostgres(context, t);
          const db = t.db;
          const sessions = await Promise.all(
            Array.from({ length: MET }, () => freshSession(db, 'met')),
          );
          const hold = await holdSessionRows(
            (t.settings as { url: string }).url,
            sessions.map((s) => s.sid),
          );
          const racing = sessions.flatMap((s) => {
            const now = new Date();
            return [
              rejection(
                consumeRefreshToken(db, {
                  jti: s.jti,
                  newJti: randomUUID().replaceAll('-', ''),
                  now,
                  validAt: now,
                  newExpiresAt: new Date(now.getTime() + HOUR),
                  blacklist: true,
                }),
              ),
              rejection(REVOCATIONS[kind](db, s)),
            ];
          });
          try {
            await hold.waitForWaiters(2 * MET);
          } finally {
            await hold.release();
          }
          expect((await Promise.all(racing)).map((e) => String(e ?? ''))).toEqual(
            Array(2 * MET).fill(''),
          );
          const rows = await sessionStates(
            db,
            sessions.map((s) => s.sid),
          );
          expect(rows.filter((r) => !r.revoked || r.unlisted > 0)).toEqual([]);
        },
      );
    },
  );

  describe('clocks', () => {
    it('counts the grace window from when the rotation committed, not from the winner’s `now`', async (context) => {
      skipWithoutPostgres(context, t);
      const ctx = await contextOn(t.db);
      const user = await insertTestUser(t.db, `stalled-${randomUUID().slice(0, 8)}`);
      const started = new Date(Date.now() - 60_000);
      const signedIn = await openSession(ctx, {
        user,
        client: CLIENT,
        amr: ['pwd'],
        event: 'sign_in.success',
        now: started,
      });
      // The winner took its `now` a minute ago (a stall, a paused process) and commits only now.
      const winner = await refreshTokens(ctx, signedIn.refreshToken, CLIENT, started);
      // The client lost that answer and retries with the same cookie, at the app's real clock.
      const retry = await refreshTokens(ctx, signedIn.refreshToken, CLIENT);
      expect(refreshTokenOf(retry)).toEqual(refreshTokenOf(winner));
    });

    it('keeps the grace window on the database clock when an instance’s clock runs 20 s ahead', async (context) => {
      skipWithoutPostgres(context, t);
      const ctx = await contextOn(t.db);
      const user = await insertTestUser(t.db, `skewed-${randomUUID().slice(0, 8)}`);
      const signedIn = await openSession(ctx, {
        user,
        client: CLIENT,
        amr: ['pwd'],
        event: 'sign_in.success',
      });
      const winner = await refreshTokens(ctx, signedIn.refreshToken, CLIENT);
      const ahead = new Date(Date.now() + 20_000);
      const retry = await refreshTokens(ctx, signedIn.refreshToken, CLIENT, ahead);
      expect(refreshTokenOf(retry)).toEqual(refreshTokenOf(winner));
    });

    it('treats a predecessor rotated longer ago than the grace window, by the database clock, as reuse', async (context) => {
      skipWithoutPostgres(context, t);
      const ctx = await contextOn(t.db, { reuseGraceWindow: 10 });
      const user = await insertTestUser(t.db, `reused-${randomUUID().slice(0, 8)}`);
      const signedIn = await openSession(ctx, {
        user,
        client: CLIENT,
        amr: ['pwd'],
        event: 'sign_in.success',
      });
      const winner = await refreshTokens(ctx, signedIn.refreshToken, CLIENT);
      // The rule for frozen-clock tests: the grace window is the database's, so a test moves the
      // rotation's stamp back in the database instead of moving the app's `now` forward.
      await t.db.execute(
        sql`update outstanding_tokens set rotated_at = rotated_at - interval '11 seconds' where replaced_by_jti is not null and user_id = ${user.id}`,
      );
      const error = await rejection(refreshTokens(ctx, signedIn.refreshToken, CLIENT));
      expect(error).toBeInstanceOf(TokenNotValid);
      expect((error as Error).message).toMatch(/reused/);
      // The whole family is revoked: the winner's successor fails too.
      expect(await rejection(refreshTokens(ctx, winner.refreshToken, CLIENT))).toBeInstanceOf(
        TokenNotValid,
      );
    });

    it('applies AUTH_LEEWAY to refresh as /auth/verify/ does (frozen clock)', async (context) => {
      skipWithoutPostgres(context, t);
      const ctx = await contextOn(t.db, { leeway: 5, refreshTokenLifetime: 60 });
      const user = await insertTestUser(t.db, `leeway-${randomUUID().slice(0, 8)}`);
      const signInAt = new Date('2025-11-28T16:00:00Z');
      const at = (seconds: number) => new Date(signInAt.getTime() + seconds * 1000);
      const first = await openSession(ctx, {
        user,
        client: CLIENT,
        amr: ['pwd'],
        event: 'sign_in.success',
        now: signInAt,
      });
      const second = await openSession(ctx, {
        user,
        client: CLIENT,
        amr: ['pwd'],
        event: 'sign_in.success',
        now: signInAt,
      });
      // 2 s past expiry, inside the 5 s leeway: the JWT check and the refresh agree.
      expect(
        (await verifyRefreshToken(ctx.keyring, ctx.config, first.refreshToken, at(62))).ok,
      ).toBe(true);
      const refreshed = await refreshTokens(ctx, first.refreshToken, CLIENT, at(62));
      expect(refreshed.sid).toBe(first.sid);
      // 6 s past expiry, beyond the leeway: both refuse, and expiry is no reuse.
      expect(
        await verifyRefreshToken(ctx.keyring, ctx.config, second.refreshToken, at(66)),
      ).toEqual({
        ok: false,
        reason: 'expired',
      });
      expect(
        await rejection(refreshTokens(ctx, second.refreshToken, CLIENT, at(66))),
      ).toBeInstanceOf(TokenNotValid);
    });
  });
});
