import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@/db/client';
import { findUserByUsername } from '@/db/queries/users';
import { startSession } from '@/db/queries/sessions';
import { identities, outstandingTokens, sessions } from '@/db/schema';
import { insertTestUser } from '../../support/users';

const HOUR = 3_600_000;

describe('npm run auth -- delete-user, on the embedded database', { timeout: 120_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kit-delete-user-'));
  const pgliteDir = join(dataDir, 'pglite');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AUTH_DATA_DIR: dataDir,
    NODE_ENV: 'development',
    DATABASE_URL: '',
  };
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  /** Runs the CLI with no terminal (stdin is a closed pipe). */
  async function auth(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const child = execFile(
      process.execPath,
      ['node_modules/tsx/dist/cli.mjs', 'src/cli/index.ts', ...args],
      { env },
    );
    child.stdin?.end();
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
    return { code, stdout, stderr };
  }

  /** Opens the database while the CLI is not running (PGlite serves one process at a time). */
  async function withDatabase<T>(
    run: (db: Awaited<ReturnType<typeof openDatabase>>['db']) => Promise<T>,
  ) {
    const handle = await openDatabase({ driver: 'pglite', dataDir: pgliteDir });
    try {
      return await run(handle.db);
    } finally {
      await handle.close();
    }
  }

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
