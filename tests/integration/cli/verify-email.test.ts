import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@/db/client';
import { findUserByUsername } from '@/db/queries/users';

// npm run auth -- verify-email <username> (docs/contract.md section 8): the operator's way to
// vouch for an address, e.g. for an account created by sign-up whose mail never arrived.
describe('npm run auth -- verify-email, on the embedded database', { timeout: 600_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kit-cli-verify-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AUTH_DATA_DIR: dataDir,
    NODE_ENV: 'development',
    DATABASE_URL: '',
  };
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

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

  const verified = async (username: string) => {
    const handle = await openDatabase({ driver: 'pglite', dataDir: join(dataDir, 'pglite') });
    try {
      return (await findUserByUsername(handle.db, username))?.emailVerified;
    } finally {
      await handle.close();
    }
  };

  // Few commands: each one starts tsx and opens the embedded database, seconds apiece.
  it("marks a user's address verified, says so when it was already, and refuses an unknown user", async () => {
    expect(
      (await auth(['create-user', 'vera', '--email', 'vera@example.com', '--no-password'])).code,
    ).toBe(0);
    expect(await verified('vera')).toBe(false);
    const first = await auth(['verify-email', 'vera']);
    expect(first).toMatchObject({ code: 0 });
    expect(first.stdout).toContain("vera's address vera@example.com is now verified");
    expect(await verified('vera')).toBe(true);
    expect((await auth(['verify-email', 'vera'])).stdout).toContain('was verified already');
    const unknown = await auth(['verify-email', 'nobody']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no user named "nobody"');
  });
});
