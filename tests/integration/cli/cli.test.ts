import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findUserByUsername } from '@/db/queries/users';
import { startCli, type Cli } from '../../support/cli';
import { HttpClient } from '../../support/http-client';
import { startNextServer } from '../../support/next-server';
import { testSecrets } from '../../support/keys';

/** A Django 5.1 hash of "lètmein" (Django's tests/auth_tests/test_hashers.py, via the djangohashers port). */
const DJANGO_HASH = 'pbkdf2_sha256$870000$seasalt$wJSpLMQRQz0Dhj/pFpbyjMj71B2gUYp6HJS5AU+32Ac=';

describe('the command line on the embedded database', { timeout: 120_000 }, () => {
  let cli: Cli;
  let dataDir: string;
  // A new data directory: the first command creates the database, as on a new install.
  beforeAll(async () => {
    cli = await startCli('kit-cli', { fresh: true });
    dataDir = cli.dataDir;
  });
  afterAll(() => cli.remove());
  const auth = (args: string[], stdin?: string) => cli.run(args, stdin);

  it('creates a user with the password from stdin and lists it without the hash', async () => {
    const created = await auth(
      ['create-user', 'carol', '--email', 'carol@example.com', '--superuser', '--password-stdin'],
      'carol-password-1\n',
    );
    expect(created).toMatchObject({ code: 0 });
    expect(created.stdout).toContain('created user carol');
    const listed = await auth(['list-users', '--json']);
    const users = listed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(users).toEqual([
      expect.objectContaining({
        username: 'carol',
        email: 'carol@example.com',
        isSuperuser: true,
        isStaff: true,
      }),
    ]);
    expect(listed.stdout).not.toContain('argon2');
  });

  it('refuses a duplicate username, a short password and missing arguments with non-zero exits', async () => {
    expect(
      (await auth(['create-user', 'carol', '--password-stdin'], 'another-password-1\n')).code,
    ).toBe(1);
    expect((await auth(['create-user', 'dave', '--password-stdin'], 'short\n')).code).toBe(1);
    expect((await auth(['create-user'])).code).toBe(2);
    expect((await auth(['no-such-command'])).code).toBe(2);
    expect((await auth(['create-user', 'x', '--bogus'])).code).toBe(2);
  });

  it('never takes the password from argv: without a terminal or --password-stdin it refuses', async () => {
    const result = await auth(['create-user', 'erin']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--password-stdin');
  });

  it('prints help for every command', async () => {
    for (const command of [
      'create-user',
      'set-password',
      'deactivate',
      'list-users',
      'flush-expired-tokens',
      'import-django-users',
      'generate-keys',
    ]) {
      const result = await auth([command, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`npm run auth -- ${command}`);
    }
  });

  it('imports Django dumpdata keeping ids and hashes, skipping users already present', async () => {
    const file = join(dataDir, 'dump.json');
    writeFileSync(
      file,
      JSON.stringify([
        {
          model: 'auth.user',
          pk: 42,
          fields: {
            password: DJANGO_HASH,
            last_login: null,
            is_superuser: false,
            username: 'django-user',
            first_name: 'Dj',
            last_name: 'Ango',
            email: 'dj@example.com',
            is_staff: false,
            is_active: true,
            date_joined: '2024-01-02T03:04:05.678Z',
            groups: [],
            user_permissions: [],
          },
        },
        {
          model: 'auth.user',
          pk: 43,
          fields: {
            password: '!unusable',
            username: 'carol',
            email: '',
            is_active: true,
            date_joined: '2024-01-02T03:04:05Z',
          },
        },
        { model: 'auth.group', pk: 1, fields: { name: 'editors', permissions: [] } },
      ]),
    );
    const result = await auth(['import-django-users', file]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'imported 1 user(s); skipped 1 already present (or differing only in case); ignored 1',
    );
    const bad = join(dataDir, 'bad.json');
    writeFileSync(bad, JSON.stringify([{ model: 'auth.user', pk: 'x', fields: {} }]));
    expect((await auth(['import-django-users', bad])).code).toBe(1);
    expect((await auth(['import-django-users', join(dataDir, 'missing.json')])).code).toBe(1);
  });

  it('marks an address verified for e-mail linking only with --email-verified / --emails-verified', async () => {
    const listed = async () =>
      new Map(
        (await auth(['list-users', '--json'])).stdout
          .trim()
          .split('\n')
          .map((line) => {
            const user = JSON.parse(line) as { username: string };
            return [user.username, user] as const;
          }),
      );
    expect(
      (
        await auth([
          'create-user',
          'frank',
          '--email',
          'Frank@Example.COM',
          '--email-verified',
          '--no-password',
        ])
      ).code,
    ).toBe(0);
    expect(
      (await auth(['create-user', 'grace', '--email', 'grace@example.com', '--no-password'])).code,
    ).toBe(0);
    const missingEmail = await auth(['create-user', 'heidi', '--email-verified', '--no-password']);
    expect(missingEmail.code).toBe(1);
    expect(missingEmail.stderr).toContain('--email-verified needs --email');
    const file = join(dataDir, 'verified-dump.json');
    writeFileSync(
      file,
      JSON.stringify([
        {
          model: 'auth.user',
          pk: 70,
          fields: { password: '!x', username: 'Ivan', email: 'ivan@example.com' },
        },
        // Django allows both; the kit keeps usernames unique regardless of case and skips the second.
        {
          model: 'auth.user',
          pk: 71,
          fields: { password: '!x', username: 'IVAN', email: 'other@example.com' },
        },
      ]),
    );
    const imported = await auth(['import-django-users', file, '--emails-verified']);
    expect(imported.stdout).toContain('imported 1 user(s); skipped 1');
    const users = await listed();
    expect(users.get('frank')).toMatchObject({
      email: 'Frank@Example.COM',
      emailCanonical: 'frank@example.com',
      emailVerified: true,
    });
    expect(users.get('grace')).toMatchObject({ emailVerified: false });
    expect(users.get('Ivan')).toMatchObject({ emailVerified: true });
    expect(users.has('IVAN')).toBe(false);
    expect(users.get('django-user')).toMatchObject({ emailVerified: false });
  });

  it('keeps usernames unique regardless of case and normalises them with NFKC', async () => {
    const duplicate = await auth(['create-user', 'CAROL', '--no-password']);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('unique regardless of case');
    expect((await auth(['create-user', 'ｊｕｄｙ', '--no-password'])).stdout).toContain(
      'created user judy',
    );
  });

  it('sets a password and deactivates a user', async () => {
    expect(
      (await auth(['set-password', 'carol', '--password-stdin'], 'new-carol-password\n')).code,
    ).toBe(0);
    expect((await auth(['deactivate', 'carol'])).stdout).toContain('deactivated carol');
    expect((await auth(['deactivate', 'nobody'])).code).toBe(1);
  });

  it('flushes expired tokens and prints keys for production', async () => {
    expect((await auth(['flush-expired-tokens'])).stdout).toContain('flushed');
    const keys = await auth(['generate-keys']);
    expect(keys.stdout).toMatch(
      /^AUTH_SECRET=\S{43}\nAUTH_SIGNING_KEYS='\{"keys":\[\{.*"d":.*\}\]\}'\n$/s,
    );
  });

  describe('while a server holds the embedded database', () => {
    let server: Awaited<ReturnType<typeof startNextServer>>;
    beforeAll(async () => {
      server = await startNextServer({ ...(await testSecrets()), DATABASE_URL: '' }, { dataDir });
    });
    afterAll(() => server.stop());

    it('a second process gets an error naming the holder, not a corrupted database', async () => {
      const result = await auth(['list-users']);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/in use by process \d+/);
    });

    it('an imported Django pbkdf2_sha256 user signs in with the old password', async () => {
      const response = await new HttpClient(server.url).post('/auth/sign-in/', {
        username: 'django-user',
        password: 'lètmein',
      });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { user: { id: number } }).user.id).toBe(42);
    });
  });

  it('the imported hash was upgraded to Argon2id by that sign-in', async () => {
    const user = await cli.withDatabase((db) => findUserByUsername(db, 'django-user'));
    expect(user?.password).toMatch(/^argon2\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(user?.lastLogin).toBeInstanceOf(Date);
  });
});
