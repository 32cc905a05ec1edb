import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blacklistedTokens, outstandingTokens, sessions, users } from '@/db/schema';
import { findUserById, findUserByUsername, importUsers, insertUser } from '@/db/queries/users';
import { revokeUserSessions, startSession } from '@/db/queries/sessions';
import { flushExpiredTokens } from '@/db/queries/maintenance';
import { describeError, isUniqueViolation } from '@/db/errors';
import { queryRows } from '@/db/execute';
import { consumeRefreshToken, readRefreshTokenState } from '@/db/queries/tokens';
import { emailColumns, usernameColumns } from '@/auth/identity';
import { findLiveSession } from '@/db/queries/current-user';
import {
  createScratchDatabase,
  DRIVERS,
  openTestDatabase,
  postgresReachable,
  stopTestDatabaseServices,
  type TestDatabase,
  skipWithoutPostgres,
} from '../../support/databases';

afterAll(stopTestDatabaseServices);

const HOUR = 3_600_000;

/** A user row with the derived columns the services fill (src/auth/identity). */
function newUser<T extends { username: string }>(values: T) {
  return { ...usernameColumns(values.username), ...emailColumns('', false), ...values };
}

async function addSession(t: TestDatabase, userId: number, tokens: { expiresAt: Date }[]) {
  const sid = randomUUID();
  const now = new Date();
  await t.db
    .insert(sessions)
    .values({ sid, userId, expiresAt: new Date(now.getTime() + 30 * 24 * HOUR) });
  const rows = await t.db
    .insert(outstandingTokens)
    .values(
      tokens.map(({ expiresAt }) => ({
        jti: randomUUID().replaceAll('-', ''),
        userId,
        sid,
        createdAt: now,
        expiresAt,
      })),
    )
    .returning();
  return { sid, tokens: rows };
}

describe.each(DRIVERS)('the data layer on %s', (driver) => {
  let t: TestDatabase | null;

  beforeAll(async () => {
    t = await openTestDatabase(driver);
  });
  afterAll(async () => {
    await t?.dispose();
  });

  const test = (name: string, fn: (t: TestDatabase) => Promise<void>) =>
    it(name, async (context) => {
      skipWithoutPostgres(context, t, `${driver}: PostgreSQL unreachable`);
      await fn(t);
    });

  test('migrations create every table and can run again', async (t) => {
    await t.migrate();
    const tables = await queryRows<{ table_name: string }>(
      t.db,
      sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
    );
    expect(tables.map((r) => r.table_name)).toEqual([
      'auth_challenges',
      'blacklisted_tokens',
      'groups',
      'identities',
      'mail_tokens',
      'outstanding_tokens',
      'passkeys',
      'recovery_codes',
      'sessions',
      'sign_in_attempts',
      'totp_factors',
      'used_id_tokens',
      'user_groups',
      'username_reservations',
      'users',
    ]);
  });

  test('a user is stored with Django defaults and found by exact username', async (t) => {
    const created = await insertUser(t.db, newUser({ username: 'Alice', password: 'argon2$x' }));
    expect(created).toMatchObject({
      username: 'Alice',
      email: '',
      isActive: true,
      isStaff: false,
      isSuperuser: false,
      lastLogin: null,
    });
    expect(created.dateJoined).toBeInstanceOf(Date);
    expect((await findUserByUsername(t.db, 'Alice'))?.id).toBe(created.id);
    expect(await findUserByUsername(t.db, 'alice')).toBeNull();
  });

  test('a duplicate username is a unique violation', async (t) => {
    await insertUser(t.db, newUser({ username: 'dup' }));
    const error = await insertUser(t.db, newUser({ username: 'dup' })).catch((e: unknown) => e);
    expect(isUniqueViolation(error)).toBe(true);
  });

  test('usernames are unique case-insensitively and after NFKC, through the canonical column', async (t) => {
    await insertUser(t.db, newUser({ username: 'CaseFold' }));
    for (const username of ['casefold', 'CASEFOLD', 'ＣａｓｅＦｏｌｄ']) {
      const error = await insertUser(t.db, newUser({ username })).catch((e: unknown) => e);
      expect(isUniqueViolation(error), username).toBe(true);
    }
  });

  test('a failed query is described for the log without its bound values (a password hash here)', async (t) => {
    await insertUser(t.db, newUser({ username: 'described' }));
    const secretHash = 'argon2$argon2id$v=19$m=19456,t=2,p=1$c2VjcmV0LXNhbHQ$secret-hash-value';
    const error = await insertUser(
      t.db,
      newUser({ username: 'described', password: secretHash }),
    ).catch((e: unknown) => e);
    expect(isUniqueViolation(error)).toBe(true);
    // The ORM's own message carries the values; the log text must not.
    expect(String((error as Error).message)).toContain('secret-hash-value');
    for (const text of [describeError(error), describeError(error, { stack: true })]) {
      expect(text).not.toContain('secret-hash-value');
      expect(text).toMatch(/insert into "users"/);
      expect(text).toMatch(/duplicate key/);
    }
  });

  test('imported users keep their ids and the id sequence moves past them', async (t) => {
    const inserted = await importUsers(t.db, [
      newUser({ id: 500, username: 'imported-1', password: 'pbkdf2_sha256$1$a$b' }),
      newUser({ id: 501, username: 'imported-2' }),
      newUser({ id: 502, username: 'dup' }),
    ]);
    expect(inserted).toBe(2);
    expect((await findUserById(t.db, 500))?.username).toBe('imported-1');
    const next = await insertUser(t.db, newUser({ username: 'after-import' }));
    expect(next.id).toBeGreaterThan(501);
  });

  test('a failed transaction leaves nothing half-written', async (t) => {
    const attempt = t.db.transaction(async (tx) => {
      await tx.insert(users).values(newUser({ username: 'half-written' }));
      await tx.insert(users).values(newUser({ username: 'half-written' }));
    });
    await expect(attempt).rejects.toThrow();
    expect(await findUserByUsername(t.db, 'half-written')).toBeNull();
  });

  test("revoking a user's sessions blacklists every outstanding token in them, except the kept one", async (t) => {
    const user = await insertUser(t.db, newUser({ username: 'revoke-me' }));
    const future = new Date(Date.now() + HOUR);
    const kept = await addSession(t, user.id, [{ expiresAt: future }]);
    const gone = await addSession(t, user.id, [{ expiresAt: future }, { expiresAt: future }]);
    expect(await revokeUserSessions(t.db, user.id, kept.sid)).toEqual([gone.sid]);
    const blacklisted = await t.db.select().from(blacklistedTokens);
    expect(blacklisted.map((b) => b.tokenId).sort()).toEqual(gone.tokens.map((o) => o.id).sort());
    expect(await revokeUserSessions(t.db, user.id)).toEqual([kept.sid]);
    expect(await revokeUserSessions(t.db, user.id)).toEqual([]);
  });

  test("a session's auth_time and amr (text[]) come back from every statement that reads them", async (t) => {
    const user = await insertUser(t.db, newUser({ username: 'amr-user' }));
    const now = new Date();
    const authTime = new Date(now.getTime() - 60_000);
    const sid = randomUUID();
    const jti = randomUUID();
    await startSession(t.db, {
      sid,
      userId: user.id,
      jti,
      now,
      userAgent: 'test',
      ipAddress: '127.0.0.1',
      authTime,
      amr: ['pwd', 'otp', 'mfa'],
      tokenExpiresAt: new Date(now.getTime() + HOUR),
      sessionExpiresAt: new Date(now.getTime() + 2 * HOUR),
    });
    const session = { authTime, amr: ['pwd', 'otp', 'mfa'] };
    expect(await findLiveSession(t.db, { sid, userId: user.id, now })).toMatchObject({
      sid,
      ...session,
      user: { id: user.id },
    });
    expect(await findLiveSession(t.db, { sid, userId: user.id + 1, now })).toBeNull();
    const consumed = await consumeRefreshToken(t.db, {
      jti,
      newJti: randomUUID(),
      now,
      validAt: now,
      newExpiresAt: new Date(now.getTime() + HOUR),
      blacklist: true,
    });
    expect(consumed?.successor).toMatchObject(session);
    expect(
      await readRefreshTokenState(t.db, { jti, validAt: now, graceWindowSeconds: 10 }),
    ).toMatchObject({
      ...session,
      liveSuccessor: session,
    });
    await revokeUserSessions(t.db, user.id);
    expect(await findLiveSession(t.db, { sid, userId: user.id, now })).toBeNull();
  });

  test('refresh tokens rotate through the named prepared statements, each exactly once, on every connection', async (t) => {
    const user = await insertUser(t.db, newUser({ username: 'rotate-me' }));
    const now = new Date();
    const sid = randomUUID();
    let jti: string = randomUUID();
    await startSession(t.db, {
      sid,
      userId: user.id,
      jti,
      now,
      userAgent: 'test',
      ipAddress: '127.0.0.1',
      authTime: now,
      amr: ['pwd'],
      tokenExpiresAt: new Date(now.getTime() + HOUR),
      sessionExpiresAt: new Date(now.getTime() + 2 * HOUR),
    });
    // More rotations than the pool has connections, twelve at a time: every connection prepares
    // the statement once and reuses it; each token is consumed by exactly one of two racers.
    for (let round = 0; round < 3; round += 1) {
      const racers = await Promise.all(
        Array.from({ length: 12 }, () => {
          const newJti = randomUUID();
          return consumeRefreshToken(t.db, {
            jti,
            newJti,
            now: new Date(),
            validAt: new Date(),
            newExpiresAt: new Date(Date.now() + 3 * HOUR),
            blacklist: true,
          });
        }),
      );
      const winners = racers.filter((r) => r !== null);
      expect(winners).toHaveLength(1);
      const { successor, user: owner } = winners[0]!;
      expect(owner).toMatchObject({ id: user.id, username: 'rotate-me', isActive: true });
      expect(successor.sid).toBe(sid);
      // Never past the session's absolute end, whatever the refresh lifetime asks for.
      expect(successor.expiresAt.getTime()).toBeLessThanOrEqual(now.getTime() + 2 * HOUR);
      const old = await readRefreshTokenState(t.db, {
        jti,
        validAt: new Date(),
        graceWindowSeconds: 10,
      });
      expect(old).toMatchObject({
        sid,
        blacklisted: true,
        sessionLive: true,
        expired: false,
        rotated: true,
        rotatedWithinGrace: true,
      });
      expect(old!.liveSuccessor?.jti).toBe(successor.jti);
      jti = successor.jti;
    }
    expect(
      await readRefreshTokenState(t.db, {
        jti: 'no-such-jti',
        validAt: new Date(),
        graceWindowSeconds: 10,
      }),
    ).toBeNull();
    // The connection this lands on has the statement prepared under its name: on a server, and
    // in PGlite's worker (src/db/pglite-worker.ts), which parses and plans it once too.
    const prepared = await queryRows<{ name: string }>(
      t.db,
      sql`select name from pg_prepared_statements`,
    );
    expect(prepared.map((r) => r.name)).toContain('kit_consume_refresh_token');
  });

  test('flushing removes expired tokens with their blacklist rows and keeps live ones', async (t) => {
    const user = await insertUser(t.db, newUser({ username: 'flush-me' }));
    const past = new Date(Date.now() - HOUR);
    const { tokens } = await addSession(t, user.id, [
      { expiresAt: past },
      { expiresAt: new Date(Date.now() + HOUR) },
    ]);
    await t.db.insert(blacklistedTokens).values({ tokenId: tokens[0]!.id });
    const result = await flushExpiredTokens(t.db);
    expect(result.outstandingTokens).toBeGreaterThanOrEqual(1);
    expect(
      await t.db.select().from(outstandingTokens).where(eq(outstandingTokens.id, tokens[0]!.id)),
    ).toEqual([]);
    expect(
      await t.db.select().from(outstandingTokens).where(eq(outstandingTokens.id, tokens[1]!.id)),
    ).toHaveLength(1);
    expect(
      await t.db
        .select()
        .from(blacklistedTokens)
        .where(eq(blacklistedTokens.tokenId, tokens[0]!.id)),
    ).toEqual([]);
  });
});

/** The statements of one committed migration, as drizzle's migrator splits them. */
function migrationStatements(tag: string): string[] {
  return readFileSync(join(process.cwd(), 'drizzle', `${tag}.sql`), 'utf8').split(
    '--> statement-breakpoint',
  );
}

/** Opens a bare connection (no migrator) to a fresh PGlite or scratch PostgreSQL database. */
async function bareDatabase(engine: 'pglite' | 'pg') {
  if (engine === 'pglite') {
    const client = new PGlite();
    return {
      query: async (text: string) => (await client.query<Record<string, unknown>>(text)).rows,
      close: () => client.close(),
    };
  }
  if (!(await postgresReachable())) return null;
  const scratch = await createScratchDatabase();
  const client = new pg.Client({ connectionString: scratch.url });
  await client.connect();
  return {
    query: async (text: string) => (await client.query<Record<string, unknown>>(text)).rows,
    close: async () => {
      await client.end();
      await scratch.drop();
    },
  };
}

describe.each(['pglite', 'pg'] as const)(
  'the identity migration (0001) on existing rows, on %s',
  (engine) => {
    it('backfills canonical usernames (case collisions kept apart), leaves addresses unlinkable and unverified', async (context) => {
      const db = await bareDatabase(engine);
      skipWithoutPostgres(context, db);
      try {
        for (const statement of migrationStatements('0000_init')) await db.query(statement);
        // As a Django import left them: usernames differing only in case, non-ASCII names, addresses.
        await db.query(`insert into users (id, username, email) values
        (1, 'Bob', 'bob@example.com'), (2, 'bob', 'BOB@example.com'), (3, 'BOB', ''),
        (4, 'Admin1', 'admin@gmaİl.com'), (5, 'Ädmin', ''), (6, 'ﬁx', '')`);
        await db.query(
          `insert into identities (provider, subject, user_id, email) values ('https://idp', 's1', 1, 'bob@example.com')`,
        );
        for (const statement of migrationStatements('0001_hardening_identity'))
          await db.query(statement);
        const rows = await db.query(
          'select id, username_canonical, username_skeleton, email_canonical, email_verified from users order by id',
        );
        expect(rows).toEqual([
          {
            id: 1,
            username_canonical: 'bob',
            username_skeleton: 'bob',
            email_canonical: null,
            email_verified: false,
          },
          {
            id: 2,
            username_canonical: 'bob#2',
            username_skeleton: 'bob',
            email_canonical: null,
            email_verified: false,
          },
          {
            id: 3,
            username_canonical: 'bob#3',
            username_skeleton: 'bob',
            email_canonical: null,
            email_verified: false,
          },
          {
            id: 4,
            username_canonical: 'admin1',
            username_skeleton: usernameColumns('Admin1').usernameSkeleton,
            email_canonical: null,
            email_verified: false,
          },
          {
            id: 5,
            username_canonical: 'ädmin',
            username_skeleton: null,
            email_canonical: null,
            email_verified: false,
          },
          {
            id: 6,
            username_canonical: 'fix',
            username_skeleton: null,
            email_canonical: null,
            email_verified: false,
          },
        ]);
        // The ASCII rows agree exactly with the code; the unique index now refuses another case.
        expect(rows[0]!.username_canonical).toBe(usernameColumns('Bob').usernameCanonical);
        await expect(
          db.query(`insert into users (username, username_canonical) values ('bOb', 'bob')`),
        ).rejects.toThrow(/duplicate key/);
        expect(await db.query('select email_verified from identities')).toEqual([
          { email_verified: false },
        ]);
      } finally {
        await db.close();
      }
    });
  },
);
