import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { groupNamesOf } from '@/db/queries/groups';
import { findUserByUsername } from '@/db/queries/users';
import { startCli, type Cli } from '../../support/cli';
import { HttpClient } from '../../support/http-client';
import { testSecrets } from '../../support/keys';
import { startNextServer } from '../../support/next-server';

describe('the role commands on the embedded database', { timeout: 120_000 }, () => {
  let cli: Cli;
  beforeAll(async () => {
    cli = await startCli('kit-cli-roles');
  });
  afterAll(() => cli.remove());
  const auth = (args: string[], stdin?: string) => cli.run(args, stdin);
  const inDatabase = <T>(read: (db: Database) => Promise<T>) => cli.withDatabase(read);

  it('grant-role puts the user in the group (created once), and says so when it is there already', async () => {
    const created = await auth(['create-user', 'gina', '--password-stdin'], 'gina-password-1\n');
    expect(created.code).toBe(0);
    expect(await auth(['grant-role', 'gina', 'editor'])).toMatchObject({
      code: 0,
      stdout: 'granted editor to gina\n',
    });
    expect((await auth(['grant-role', 'gina', 'editor'])).stdout).toBe('gina has editor already\n');
    expect((await auth(['grant-role', 'gina', 'billing'])).code).toBe(0);
    const groups = await inDatabase(async (db) =>
      groupNamesOf(db, (await findUserByUsername(db, 'gina'))!.id),
    );
    expect(groups).toEqual(['billing', 'editor']);
  });

  it('revoke-role takes it away; set-staff sets and clears is_staff', async () => {
    expect(await auth(['revoke-role', 'gina', 'billing'])).toMatchObject({
      code: 0,
      stdout: 'revoked billing from gina\n',
    });
    expect((await auth(['revoke-role', 'gina', 'billing'])).stdout).toBe(
      'gina does not have billing\n',
    );
    expect((await auth(['set-staff', 'gina'])).stdout).toBe('gina is now staff\n');
    expect(await inDatabase(async (db) => (await findUserByUsername(db, 'gina'))?.isStaff)).toBe(
      true,
    );
    expect((await auth(['set-staff', 'gina', '--off'])).stdout).toBe('gina is no longer staff\n');
    expect(await inDatabase(async (db) => (await findUserByUsername(db, 'gina'))?.isStaff)).toBe(
      false,
    );
    expect((await auth(['set-staff', 'gina'])).code).toBe(0);
  });

  it('refuses an unknown user, a bad role name and missing arguments, and prints help', async () => {
    expect(await auth(['grant-role', 'nobody', 'editor'])).toMatchObject({ code: 1 });
    expect((await auth(['grant-role', 'gina', 'has space'])).stderr).toContain('role may contain');
    expect((await auth(['grant-role', 'gina'])).code).toBe(2);
    expect((await auth(['set-staff', 'gina', '--bogus'])).code).toBe(2);
    for (const command of ['grant-role', 'revoke-role', 'set-staff']) {
      const help = await auth([command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`npm run auth -- ${command}`);
    }
  });

  it("the template's roles claim lists the groups (and staff) at the next sign-in", async () => {
    const server = await startNextServer(
      { ...(await testSecrets()), DATABASE_URL: '' },
      { dataDir: cli.dataDir },
    );
    try {
      const response = await new HttpClient(server.url).post('/auth/sign-in/', {
        username: 'gina',
        password: 'gina-password-1',
      });
      expect(response.status).toBe(200);
      const { access_token } = (await response.json()) as { access_token: string };
      expect(decodeJwt(access_token)).toMatchObject({ is_staff: true, roles: ['staff', 'editor'] });
    } finally {
      await server.stop();
    }
  });
});
