import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blacklistedTokens, outstandingTokens, sessions, users } from '@/db/schema';
import { findUserById, findUserByUsername, importUsers, insertUser } from '@/db/queries/users';
import { revokeUserSessions } from '@/db/queries/sessions';
import { flushExpiredTokens } from '@/db/queries/maintenance';
import { describeError, isUniqueViolation } from '@/db/errors';
import { queryRows } from '@/db/execute';
import { consumeRefreshToken, readRefreshTokenState, startSession } from '@/db/queries/tokens';
import { findLiveSession } from '@/db/queries/current-user';
import { DRIVERS, openTestDatabase, stopTestDatabaseServices, type TestDatabase } from '../../support/databases';

afterAll(stopTestDatabaseServices);

const HOUR = 3_600_000;

async function addSession(t: TestDatabase, userId: number, tokens: { expiresAt: Date }[]) {
  const sid = randomUUID();
  const now = new Date();
  await t.db.insert(sessions).values({ sid, userId, expiresAt: new Date(now.getTime() + 30 * 24 * HOUR) });
  const rows = await t.db
    .insert(outstandingTokens)
    .values(tokens.map(({ expiresAt }) => ({ jti: randomUUID().replaceAll('-', ''), userId, sid, createdAt: now, expiresAt })))
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
      if (!t) return context.skip(`${driver}: PostgreSQL unreachable`);
      await fn(t);
    });

  test('migrations create every table and can run again', async (t) => {
    await t.migrate();
    const tables = await queryRows<{ table_name: string }>(t.db, sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`);
    expect(tables.map((r) => r.table_name)).toEqual(
      ['blacklisted_tokens', 'groups', 'identities', 'outstanding_tokens', 'sessions', 'sign_in_attempts', 'used_id_tokens', 'user_groups', 'users'],
    );
  });

  test('a user is stored with Django defaults and found by exact username', async (t) => {
    const created = await insertUser(t.db, { username: 'Alice', password: 'argon2$x' });
    expect(created).toMatchObject({ username: 'Alice', email: '', isActive: true, isStaff: false, isSuperuser: false, lastLogin: null });
    expect(created.dateJoined).toBeInstanceOf(Date);
    expect((await findUserByUsername(t.db, 'Alice'))?.id).toBe(created.id);
    expect(await findUserByUsername(t.db, 'alice')).toBeNull();
  });

  test('a duplicate username is a unique violation', async (t) => {
    await insertUser(t.db, { username: 'dup' });
    const error = await insertUser(t.db, { username: 'dup' }).catch((e: unknown) => e);
    expect(isUniqueViolation(error)).toBe(true);
  });

  test('a failed query is described for the log without its bound values (a password hash here)', async (t) => {
    await insertUser(t.db, { username: 'described' });
    const secretHash = 'argon2$argon2id$v=19$m=19456,t=2,p=1$c2VjcmV0LXNhbHQ$secret-hash-value';
    const error = await insertUser(t.db, { username: 'described', password: secretHash }).catch((e: unknown) => e);
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
      { id: 500, username: 'imported-1', password: 'pbkdf2_sha256$1$a$b' },
      { id: 501, username: 'imported-2' },
      { id: 502, username: 'dup' },
    ]);
    expect(inserted).toBe(2);
    expect((await findUserById(t.db, 500))?.username).toBe('imported-1');
    const next = await insertUser(t.db, { username: 'after-import' });
    expect(next.id).toBeGreaterThan(501);
  });

  test('a failed transaction leaves nothing half-written', async (t) => {
    const attempt = t.db.transaction(async (tx) => {
      await tx.insert(users).values({ username: 'half-written' });
      await tx.insert(users).values({ username: 'half-written' });
    });
    await expect(attempt).rejects.toThrow();
    expect(await findUserByUsername(t.db, 'half-written')).toBeNull();
  });

  test('revoking a user\'s sessions blacklists every outstanding token in them, except the kept one', async (t) => {
    const user = await insertUser(t.db, { username: 'revoke-me' });
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
    const user = await insertUser(t.db, { username: 'amr-user' });
    const now = new Date();
    const authTime = new Date(now.getTime() - 60_000);
    const sid = randomUUID();
    const jti = randomUUID();
    await startSession(t.db, {
      sid, userId: user.id, jti, now, userAgent: 'test', ipAddress: '127.0.0.1', authTime, amr: ['pwd', 'otp', 'mfa'],
      tokenExpiresAt: new Date(now.getTime() + HOUR), sessionExpiresAt: new Date(now.getTime() + 2 * HOUR),
    });
    const session = { authTime, amr: ['pwd', 'otp', 'mfa'] };
    expect(await findLiveSession(t.db, { sid, userId: user.id, now })).toMatchObject({ sid, ...session, user: { id: user.id } });
    expect(await findLiveSession(t.db, { sid, userId: user.id + 1, now })).toBeNull();
    const consumed = await consumeRefreshToken(t.db, { jti, newJti: randomUUID(), now, newExpiresAt: new Date(now.getTime() + HOUR), blacklist: true });
    expect(consumed?.successor).toMatchObject(session);
    expect(await readRefreshTokenState(t.db, jti, now)).toMatchObject({ ...session, liveSuccessor: session });
    await revokeUserSessions(t.db, user.id);
    expect(await findLiveSession(t.db, { sid, userId: user.id, now })).toBeNull();
  });

  test('refresh tokens rotate through the named prepared statements, each exactly once, on every connection', async (t) => {
    const user = await insertUser(t.db, { username: 'rotate-me' });
    const now = new Date();
    const sid = randomUUID();
    let jti: string = randomUUID();
    await startSession(t.db, {
      sid, userId: user.id, jti, now, userAgent: 'test', ipAddress: '127.0.0.1', authTime: now, amr: ['pwd'],
      tokenExpiresAt: new Date(now.getTime() + HOUR), sessionExpiresAt: new Date(now.getTime() + 2 * HOUR),
    });
    // More rotations than the pool has connections, twelve at a time: every connection prepares
    // the statement once and reuses it; each token is consumed by exactly one of two racers.
    for (let round = 0; round < 3; round += 1) {
      const racers = await Promise.all(
        Array.from({ length: 12 }, () => {
          const newJti = randomUUID();
          return consumeRefreshToken(t.db, { jti, newJti, now: new Date(), newExpiresAt: new Date(Date.now() + 3 * HOUR), blacklist: true });
        }),
      );
      const winners = racers.filter((r) => r !== null);
      expect(winners).toHaveLength(1);
      const { successor, user: owner } = winners[0]!;
      expect(owner).toMatchObject({ id: user.id, username: 'rotate-me', isActive: true });
      expect(successor.sid).toBe(sid);
      // Never past the session's absolute end, whatever the refresh lifetime asks for.
      expect(successor.expiresAt.getTime()).toBeLessThanOrEqual(now.getTime() + 2 * HOUR);
      const old = await readRefreshTokenState(t.db, jti, new Date());
      expect(old).toMatchObject({ sid, blacklisted: true, sessionLive: true, expired: false });
      expect(old!.rotatedAt).toBeInstanceOf(Date);
      expect(old!.liveSuccessor?.jti).toBe(successor.jti);
      jti = successor.jti;
    }
    expect(await readRefreshTokenState(t.db, 'no-such-jti', new Date())).toBeNull();
    // On a server, the connection this lands on has the statement prepared under its name.
    const prepared = await queryRows<{ name: string }>(t.db, sql`select name from pg_prepared_statements`);
    if (driver === 'pglite') expect(prepared).toEqual([]);
    else expect(prepared.map((r) => r.name)).toContain('kit_consume_refresh_token');
  });

  test('flushing removes expired tokens with their blacklist rows and keeps live ones', async (t) => {
    const user = await insertUser(t.db, { username: 'flush-me' });
    const past = new Date(Date.now() - HOUR);
    const { tokens } = await addSession(t, user.id, [{ expiresAt: past }, { expiresAt: new Date(Date.now() + HOUR) }]);
    await t.db.insert(blacklistedTokens).values({ tokenId: tokens[0]!.id });
    const result = await flushExpiredTokens(t.db);
    expect(result.outstandingTokens).toBeGreaterThanOrEqual(1);
    expect(await t.db.select().from(outstandingTokens).where(eq(outstandingTokens.id, tokens[0]!.id))).toEqual([]);
    expect(await t.db.select().from(outstandingTokens).where(eq(outstandingTokens.id, tokens[1]!.id))).toHaveLength(1);
    expect(await t.db.select().from(blacklistedTokens).where(eq(blacklistedTokens.tokenId, tokens[0]!.id))).toEqual([]);
  });
});
