import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { findUserByUsername } from '@/db/queries/users';
import { startSession } from '@/db/queries/sessions';
import { identities, outstandingTokens, sessions } from '@/db/schema';
import { startCli, type Cli } from '../../support/cli';
import { insertTestUser } from '../../support/users';

const HOUR = 3_600_000;

describe('npm run auth -- delete-user, on the embedded database', { timeout: 120_000 }, () => {
  let cli: Cli;
  beforeAll(async () => {
    cli = await startCli('kit-delete-user');
  });
  afterAll(() => cli.remove());
  /** Runs the CLI with no terminal (stdin is a closed pipe). */
  const auth = (args: string[]) => cli.run(args);
  const withDatabase = <T>(run: (db: Database) => Promise<T>) => cli.withDatabase(run);

  it('deletes a user with their sessions, tokens and IdP links, with --yes', async () => {
    const { id } = await withDatabase(async (db) => {
      const user = await insertTestUser(db, 'leaving', { password: null });
      const now = new Date();
      for (let i = 0; i < 2; i++)
        await startSession(db, {
          sid: randomUUID(),
          userId: user.id,
          jti: randomUUID(),
          now,
          tokenExpiresAt: new Date(now.getTime() + HOUR),
          sessionExpiresAt: new Date(now.getTime() + 2 * HOUR),
          userAgent: 'test',
          ipAddress: '127.0.0.1',
          authTime: now,
          amr: ['pwd'],
        });
      await db.insert(identities).values({ provider: 'idp', subject: 'leaving', userId: user.id });
      await insertTestUser(db, 'staying', { password: null });
      return user;
    });

    const result = await auth(['delete-user', 'leaving', '--yes']);
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toContain(`deleted user leaving (id ${id}); 2 session(s) revoked`);

    await withDatabase(async (db) => {
      expect(await findUserByUsername(db, 'leaving')).toBeNull();
      expect(await findUserByUsername(db, 'staying')).not.toBeNull();
      expect(await db.select().from(sessions).where(eq(sessions.userId, id))).toEqual([]);
      expect(
        await db.select().from(outstandingTokens).where(eq(outstandingTokens.userId, id)),
      ).toEqual([]);
      expect(await db.select().from(identities).where(eq(identities.userId, id))).toEqual([]);
    });
  });

  it('asks for confirmation without --yes, and without a terminal changes nothing', async () => {
    const result = await auth(['delete-user', 'staying']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('pass --yes');
    await withDatabase(async (db) => {
      expect(await findUserByUsername(db, 'staying')).not.toBeNull();
    });
  });

  it('refuses an unknown user with a non-zero exit', async () => {
    const result = await auth(['delete-user', 'nobody-here', '--yes']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no user named "nobody-here"');
  });
});
