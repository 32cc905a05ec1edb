import { PGlite } from '@electric-sql/pglite';
import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authChallenges, passkeys, recoveryCodes, totpFactors, users } from '@/db/schema';

/**
 * The tables of src/db/schema/mfa.ts on a real PostgreSQL (PGlite, in memory), made by the kit's
 * migrations (0004_second_factors), and what the services rely on.
 */
const MIGRATION = 'drizzle/0004_second_factors.sql';
let client: PGlite;
let db: ReturnType<typeof drizzle>;
let userId: number;
let otherUserId: number;

beforeAll(async () => {
  client = new PGlite();
  db = drizzle({ client });
  await migrate(db, { migrationsFolder: 'drizzle' });
  const rows = await db
    .insert(users)
    .values([
      { username: 'alice', usernameCanonical: 'alice' },
      { username: 'bob', usernameCanonical: 'bob' },
    ])
    .returning({ id: users.id });
  userId = rows[0]!.id;
  otherUserId = rows[1]!.id;
});

afterAll(async () => {
  await client?.close();
});

describe('the mfa schema', () => {
  it('is migrated by 0004, which only adds the four new tables (and touches nothing else)', () => {
    const statements = readFileSync(MIGRATION, 'utf8').split('--> statement-breakpoint');
    const created = statements.flatMap((s) =>
      [...s.matchAll(/CREATE TABLE "(\w+)"/g)].map((m) => m[1]),
    );
    expect(created.sort()).toEqual([
      'auth_challenges',
      'passkeys',
      'recovery_codes',
      'totp_factors',
    ]);
    for (const statement of statements)
      expect(statement.trim()).not.toMatch(/^(DROP|ALTER TABLE "(users|sessions))/);
  });

  it('stores one TOTP factor per user, with a bigint last step', async () => {
    await db.insert(totpFactors).values({ userId, secretEnc: 'v1.nonce.body' });
    const [row] = await db.select().from(totpFactors).where(eq(totpFactors.userId, userId));
    expect(row).toMatchObject({
      secretEnc: 'v1.nonce.body',
      confirmedAt: null,
      lastUsedStep: null,
    });
    await db
      .update(totpFactors)
      .set({ lastUsedStep: 2 ** 40 })
      .where(eq(totpFactors.userId, userId));
    const [updated] = await db.select().from(totpFactors).where(eq(totpFactors.userId, userId));
    expect(updated!.lastUsedStep).toBe(2 ** 40);
    await expect(db.insert(totpFactors).values({ userId, secretEnc: 'again' })).rejects.toThrow();
  });

  it('keeps recovery code hashes unique', async () => {
    await db.insert(recoveryCodes).values({ userId, codeHash: 'a'.repeat(64) });
    await expect(
      db.insert(recoveryCodes).values({ userId: otherUserId, codeHash: 'a'.repeat(64) }),
    ).rejects.toThrow();
  });

  it('round-trips a passkey public key as bytes and its transports as an array', async () => {
    const publicKey = new Uint8Array([0, 1, 2, 253, 254, 255, 92, 120]);
    await db
      .insert(passkeys)
      .values({ id: 'Y3JlZGVudGlhbA', userId, publicKey, transports: ['internal', 'hybrid'] });
    const [row] = await db.select().from(passkeys).where(eq(passkeys.id, 'Y3JlZGVudGlhbA'));
    expect(row!.publicKey).toBeInstanceOf(Uint8Array);
    expect([...row!.publicKey]).toEqual([...publicKey]);
    expect(row).toMatchObject({
      counter: 0,
      transports: ['internal', 'hybrid'],
      name: '',
      backedUp: false,
      lastUsedAt: null,
    });
    // A Buffer (what node-postgres hands back) is written the same way.
    await db.insert(passkeys).values({ id: 'b3RoZXI', userId, publicKey: Buffer.from([9, 8, 7]) });
    const [other] = await db.select().from(passkeys).where(eq(passkeys.id, 'b3RoZXI'));
    expect([...other!.publicKey]).toEqual([9, 8, 7]);
    expect(other!.transports).toEqual([]);
  });

  it('accepts only the known challenge purposes, and unique token hashes', async () => {
    const base = { tokenHash: 'b'.repeat(64), expiresAt: new Date(Date.now() + 300_000) };
    await db.insert(authChallenges).values({
      id: crypto.randomUUID(),
      purpose: 'mfa',
      userId,
      context: { amr: ['pwd'], authTime: 1_767_225_600 },
      ...base,
    });
    const [row] = await db
      .select()
      .from(authChallenges)
      .where(eq(authChallenges.tokenHash, base.tokenHash));
    expect(row).toMatchObject({
      purpose: 'mfa',
      failures: 0,
      usedAt: null,
      context: { amr: ['pwd'], authTime: 1_767_225_600 },
    });
    await expect(
      db.insert(authChallenges).values({ id: crypto.randomUUID(), purpose: 'mfa', ...base }),
    ).rejects.toThrow();
    await expect(
      db.insert(authChallenges).values({
        id: crypto.randomUUID(),
        purpose: 'other' as never,
        tokenHash: 'c'.repeat(64),
        expiresAt: base.expiresAt,
      }),
    ).rejects.toThrow();
    // A discoverable passkey sign-in has no user yet.
    await db.insert(authChallenges).values({
      id: crypto.randomUUID(),
      purpose: 'webauthn_sign_in',
      tokenHash: 'd'.repeat(64),
      expiresAt: base.expiresAt,
    });
  });

  it('goes with the user: deleting a user deletes their factors, codes, passkeys and challenges', async () => {
    await db.delete(users).where(eq(users.id, userId));
    expect(await db.select().from(totpFactors).where(eq(totpFactors.userId, userId))).toEqual([]);
    expect(await db.select().from(recoveryCodes).where(eq(recoveryCodes.userId, userId))).toEqual(
      [],
    );
    expect(await db.select().from(passkeys).where(eq(passkeys.userId, userId))).toEqual([]);
    expect(await db.select().from(authChallenges).where(eq(authChallenges.userId, userId))).toEqual(
      [],
    );
    expect(await db.select().from(authChallenges)).toHaveLength(1); // the user-less one stays
  });
});
