import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { decodeJwt } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { findUserByUsername } from '@/db/queries/users';
import {
  callProfileAction,
  expectAccountFor,
  expectAccountSignedOut,
  profileActionId,
} from '../../support/account';
import { HttpClient } from '../../support/http-client';
import { HTTP_BACKENDS, type KitServer } from '../../support/kit-servers';
import { expectError } from '../../support/assertions';
import { refreshClaims } from '../../support/cookies';
import { cloneClient, PATHS, refresh, signIn, type TokenBody } from '../../support/requests';
import { runCli } from '../../support/cli';
import { useKit, usersWithPassword } from '../../support/kit-suite';

const PASSWORD = 'correct-horse-battery';
const USERS = [
  'page-user',
  'action-user',
  'origin-user',
  'logoff-user',
  'everywhere-user',
  'revoke-user',
  'password-user',
  'deactivate-user',
  'delete-user',
  'api-user',
  'claims-user',
];

/** AUTH_DATA_DIR of the CLI runs (on PostgreSQL they write nothing there). */
const scratch = mkdtempSync(join(tmpdir(), 'kit-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const bearer = (body: TokenBody) => ({ Authorization: `Bearer ${body.access_token}` });

describe.each(HTTP_BACKENDS)('server-side identity over next start on %s', (backend) => {
  const started = useKit(backend, { users: usersWithPassword(PASSWORD, USERS) });

  const test = (name: string, fn: (kit: KitServer) => Promise<void>, pgOnly = false) => {
    // The embedded database is held by the server process: the CLI and direct writes need
    // PostgreSQL, so such a test is declared on PostgreSQL only.
    if (pgOnly && backend !== 'pg') return;
    it(name, async (context) => {
      await fn(started(context));
    });
  };

  /** A signed-in browser on /account: its client, its token answer, and the action's id. */
  async function onAccount(kit: KitServer, username: string) {
    const client = new HttpClient(kit.url);
    const { body } = await signIn(client, username, PASSWORD);
    const html = await expectAccountFor(client, username);
    return { client, body, actionId: profileActionId(html) };
  }

  /** The page and the action, both signed out for a browser that still holds its session cookie. */
  async function expectSignedOut(client: HttpClient, actionId: string, username: string) {
    expect(client.jar.has('session')).toBe(true);
    await expectAccountSignedOut(client);
    const answer = await callProfileAction(client, actionId, {
      first_name: 'Mallory',
      last_name: 'Late',
    });
    expect(answer.result, answer.text.slice(0, 400)).toEqual({ ok: false, error: 'not_signed_in' });
    const database = started.current?.database;
    if (database) {
      const row = await findUserByUsername(database.db, username);
      expect(row?.firstName ?? '').not.toBe('Mallory');
    }
  }

  /** `npm run auth` on the kit's PostgreSQL database; its exit code. */
  async function cli(kit: KitServer, args: string[], stdin?: string): Promise<number> {
    const env = { ...process.env, ...kit.env, AUTH_DATA_DIR: scratch };
    return (await runCli(args, { env: { ...env, NODE_ENV: 'development' }, stdin })).code;
  }

  describe('GET /account (requireUser in a Server Component)', () => {
    test('renders the signed-in user, server-side', async (kit) => {
      await onAccount(kit, 'page-user');
    });

    test('without a session cookie the proxy redirects to sign-in with next', async (kit) => {
      await expectAccountSignedOut(new HttpClient(kit.url));
    });
  });

  describe('the profile Server Action (withAuthAction)', () => {
    test('saves the first and last name of the signed-in user, validated', async (kit) => {
      const { client, actionId } = await onAccount(kit, 'action-user');
      const saved = await callProfileAction(client, actionId, {
        first_name: '  Ada ',
        last_name: 'Lovelace',
      });
      expect(saved.result).toEqual({ ok: true, firstName: 'Ada', lastName: 'Lovelace' });
      const html = await expectAccountFor(client, 'action-user');
      expect(html).toContain('value="Ada"');
      expect(html).toContain('value="Lovelace"');
      const tooLong = await callProfileAction(client, actionId, {
        first_name: 'x'.repeat(151),
        last_name: '',
      });
      expect(tooLong.result).toMatchObject({ ok: false, error: 'invalid' });
    });

    test("keeps Next's Origin check: a cross-site call does not run", async (kit) => {
      const { client, actionId } = await onAccount(kit, 'origin-user');
      const answer = await callProfileAction(
        client,
        actionId,
        { first_name: 'Cross', last_name: 'Site' },
        { Origin: 'https://evil.example' },
      );
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.result).toBeNull();
      if (kit.database)
        expect((await findUserByUsername(kit.database.db, 'origin-user'))?.firstName).toBe('');
    });
  });

  describe('revocation is immediate: the very next render and action are signed out', () => {
    test('after log-off (a copy of the cookies kept, as a second tab or a thief would)', async (kit) => {
      const { client, body, actionId } = await onAccount(kit, 'logoff-user');
      const kept = cloneClient(client);
      expect((await client.post(PATHS.logoff, { CSRF_token: body.CSRF_token })).status).toBe(200);
      await expectSignedOut(kept, actionId, 'logoff-user');
    });

    test('after log-off everywhere from another browser', async (kit) => {
      const { client, actionId } = await onAccount(kit, 'everywhere-user');
      const other = new HttpClient(kit.url);
      const { body } = await signIn(other, 'everywhere-user', PASSWORD);
      expect((await other.post(PATHS.logoffAll, undefined, bearer(body))).status).toBe(200);
      await expectSignedOut(client, actionId, 'everywhere-user');
    });

    test('after the session is revoked from another browser', async (kit) => {
      const { client, actionId } = await onAccount(kit, 'revoke-user');
      const other = new HttpClient(kit.url);
      const { body } = await signIn(other, 'revoke-user', PASSWORD);
      const revoked = await other.post(
        PATHS.revoke,
        { sid: refreshClaims(client).sid },
        bearer(body),
      );
      expect(revoked.status).toBe(200);
      await expectSignedOut(client, actionId, 'revoke-user');
      await expectAccountFor(other, 'revoke-user');
    });

    test(
      'after a new password (npm run auth -- set-password)',
      async (kit) => {
        const { client, actionId } = await onAccount(kit, 'password-user');
        expect(
          await cli(
            kit,
            ['set-password', 'password-user', '--password-stdin'],
            'a-new-password-9\n',
          ),
        ).toBe(0);
        await expectSignedOut(client, actionId, 'password-user');
      },
      true,
    );

    test(
      'after deactivation (npm run auth -- deactivate)',
      async (kit) => {
        const { client, actionId } = await onAccount(kit, 'deactivate-user');
        expect(await cli(kit, ['deactivate', 'deactivate-user'])).toBe(0);
        await expectSignedOut(client, actionId, 'deactivate-user');
      },
      true,
    );

    test(
      'after the user row is deleted',
      async (kit) => {
        const { client, actionId } = await onAccount(kit, 'delete-user');
        await kit.database!.db.execute(sql`delete from users where username = 'delete-user'`);
        await expectSignedOut(client, actionId, 'delete-user');
      },
      true,
    );
  });

  describe('GET /api/me (withAuth, live)', () => {
    test("refuses a logged-off session's access token that has not expired yet", async (kit) => {
      const client = new HttpClient(kit.url);
      const { body } = await signIn(client, 'api-user', PASSWORD);
      const me = await client.request('GET', '/api/me', { headers: bearer(body) });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ username: 'api-user' });
      expect((await client.post(PATHS.logoff, { CSRF_token: body.CSRF_token })).status).toBe(200);
      expect(decodeJwt(body.access_token).exp).toBeGreaterThan(Date.now() / 1000 + 60);
      const after = await new HttpClient(kit.url).request('GET', '/api/me', {
        headers: bearer(body),
      });
      await expectError(after, 401, 'token_not_valid');
      expect(after.headers.get('www-authenticate')).toMatch(/^Bearer/);
      // Without `live` the same token is still a valid token until it expires (the stateless check).
      expect(
        (await new HttpClient(kit.url).post(PATHS.verify, { token: body.access_token })).status,
      ).toBe(200);
    });
  });

  describe('the session claims in access tokens', () => {
    test('sid, auth_time and amr ["pwd"] at sign-in; a refresh keeps auth_time and amr', async (kit) => {
      const client = new HttpClient(kit.url);
      const before = Math.floor(Date.now() / 1000);
      const { body } = await signIn(client, 'claims-user', PASSWORD);
      const first = decodeJwt(body.access_token);
      expect(first).toMatchObject({ sid: refreshClaims(client).sid, amr: ['pwd'] });
      expect(first.auth_time).toBeGreaterThanOrEqual(before);
      expect(first.auth_time).toBeLessThanOrEqual(first.iat!);
      // That a refresh later on keeps the sign-in's auth_time while iat moves on is a rule of
      // time, proven at a frozen clock (tests/flows/server-identity.test.ts); here, the wire.
      const refreshed = await refresh(client, body.CSRF_token);
      expect(refreshed.status).toBe(200);
      const second = decodeJwt(((await refreshed.json()) as TokenBody).access_token);
      expect(second).toMatchObject({ sid: first.sid, auth_time: first.auth_time, amr: ['pwd'] });
      expect(second.iat).toBeGreaterThanOrEqual(first.iat!);
    });
  });
});
