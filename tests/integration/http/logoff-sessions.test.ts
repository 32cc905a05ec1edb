import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '@/db/schema';
import { HttpClient } from '../../support/http-client';
import { HTTP_BACKENDS, describeOnPostgres, type KitServer } from '../../support/kit-servers';
import { expectError } from '../../support/assertions';
import { expectCookiesCleared, refreshClaims } from '../../support/cookies';
import {
  cloneClient,
  PATHS,
  refresh,
  signIn,
  type TokenBody,
  startWarmKit,
} from '../../support/requests';
import { skipWithoutPostgres } from '../../support/databases';

const PASSWORD = 'correct-horse-battery';

interface SessionEntry {
  sid: string;
  created: string;
  last_used: string;
  user_agent: string;
  current: boolean;
}

describe.each(HTTP_BACKENDS)('log-off and sessions over next start on %s', (backend) => {
  let kit: KitServer | null = null;

  beforeAll(async () => {
    kit = await startWarmKit(backend, {
      users: [
        'logoff-refresh',
        'logoff-clears',
        'logoff-bad-csrf',
        'logoff-header',
        'logoff-family',
        'logoff-one',
        'list-user',
        'list-revoked',
        'revoke-user',
        'revoke-owner',
        'revoke-stranger',
        'all-user',
        'all-bystander',
        'deactivated',
      ].map((username) => ({ username, password: PASSWORD })),
    });
  });
  afterAll(async () => kit?.stop());

  const bearer = (body: TokenBody) => ({ Authorization: `Bearer ${body.access_token}` });

  async function listSessions(client: HttpClient, body: TokenBody): Promise<SessionEntry[]> {
    const response = await client.request('GET', PATHS.sessions, { headers: bearer(body) });
    expect(response.status).toBe(200);
    return ((await response.json()) as { sessions: SessionEntry[] }).sessions;
  }

  describe('POST /auth/logoff/', () => {
    it('makes the next refresh of that session answer 401', async (context) => {
      skipWithoutPostgres(context, kit);
      const client = new HttpClient(kit.url);
      const { body } = await signIn(client, 'logoff-refresh', PASSWORD);
      const kept = cloneClient(client);
      expect((await client.post(PATHS.logoff, { CSRF_token: body.CSRF_token })).status).toBe(200);
      await expectError(await refresh(kept, body.CSRF_token), 401, 'token_not_valid');
    });

    it('answers 200 with a JSON body and clears the three cookies', async (context) => {
      skipWithoutPostgres(context, kit);
      const client = new HttpClient(kit.url);
      const { body } = await signIn(client, 'logoff-clears', PASSWORD);
      const response = await client.post(PATHS.logoff, { CSRF_token: body.CSRF_token });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(typeof (await response.json())).toBe('object');
      expectCookiesCleared(response);
      // Only the device cookie stays: this browser remains a known device of the account.
      expect([...client.jar.keys()]).toEqual(['device']);
    });

    it('answers 200 and clears the cookies without a refresh cookie (idempotent)', async (context) => {
      skipWithoutPostgres(context, kit);
      const response = await new HttpClient(kit.url).post(PATHS.logoff, {});
      expect(response.status).toBe(200);
      expectCookiesCleared(response);
    });

    it('answers 403 with a refresh cookie and a wrong CSRF token, and keeps the session', async (context) => {
      skipWithoutPostgres(context, kit);
      const client = new HttpClient(kit.url);
      const { body } = await signIn(client, 'logoff-bad-csrf', PASSWORD);
      const response = await client.post(PATHS.logoff, { CSRF_token: 'forged' });
      await expectError(response, 403, 'csrf_failed');
      expect(response.headers.getSetCookie()).toEqual([]);
      expect((await refresh(client, body.CSRF_token)).status).toBe(200);
    });

    it('accepts the CSRF token in the X-CSRF-Token header', async (context) => {
      skipWithoutPostgres(context, kit);
      const client = new HttpClient(kit.url);
      const { body } = await signIn(client, 'logoff-header', PASSWORD);
      const kept = cloneClient(client);
      expect(
        (await client.post(PATHS.logoff, {}, { 'X-CSRF-Token': body.CSRF_token })).status,
      ).toBe(200);
      expect((await refresh(kept, body.CSRF_token)).status).toBe(401);
    });

    it('revokes the whole session: a predecessor still inside the grace window fails too', async (context) => {
      skipWithoutPostgres(context, kit);
      const client = new HttpClient(kit.url);
      const { body } = await signIn(client, 'logoff-family', PASSWORD);
      const predecessor = cloneClient(client);
      expect((await refresh(client, body.CSRF_token)).status).toBe(200);
      expect((await client.post(PATHS.logoff, { CSRF_token: body.CSRF_token })).status).toBe(200);
      await expectError(await refresh(predecessor, body.CSRF_token), 401, 'token_not_valid');
    });

    it("leaves the user's other sessions alive", async (context) => {
      skipWithoutPostgres(context, kit);
      const laptop = new HttpClient(kit.url);
      const phone = new HttpClient(kit.url);
      const { body: laptopBody } = await signIn(laptop, 'logoff-one', PASSWORD);
      const { body: phoneBody } = await signIn(phone, 'logoff-one', PASSWORD);
      expect((await laptop.post(PATHS.logoff, { CSRF_token: laptopBody.CSRF_token })).status).toBe(
        200,
      );
      expect((await refresh(phone, phoneBody.CSRF_token)).status).toBe(200);
    });
  });

  describe('GET /auth/sessions/', () => {
    it("lists the user's live sessions with sid, created, last_used, user_agent and current", async (context) => {
      skipWithoutPostgres(context, kit);
      const laptop = new HttpClient(kit.url, { 'User-Agent': 'laptop-browser/1.0' });
      const phone = new HttpClient(kit.url, { 'User-Agent': 'phone-browser/2.0' });
      const { body } = await signIn(laptop, 'list-user', PASSWORD);
      await signIn(phone, 'list-user', PASSWORD);
      const sessions = await listSessions(laptop, body);
      expect(sessions).toHaveLength(2);
      const mine = sessions.find((s) => s.sid === refreshClaims(laptop).sid);
      const other = sessions.find((s) => s.sid === refreshClaims(phone).sid);
      expect(mine).toMatchObject({ current: true, user_agent: 'laptop-browser/1.0' });
      expect(other).toMatchObject({ current: false, user_agent: 'phone-browser/2.0' });
      for (const session of sessions) {
        expect(Object.keys(session).sort()).toEqual([
          'created',
          'current',
          'last_used',
          'sid',
          'user_agent',
        ]);
        expect(Number.isNaN(Date.parse(session.created))).toBe(false);
        expect(Number.isNaN(Date.parse(session.last_used))).toBe(false);
      }
    });

    it('answers with Cache-Control: no-store', async (context) => {
      skipWithoutPostgres(context, kit);
      const client = new HttpClient(kit.url);
      const { body } = await signIn(client, 'list-user', PASSWORD);
      const response = await client.request('GET', PATHS.sessions, { headers: bearer(body) });
      expect(response.headers.get('cache-control')).toBe('no-store');
    });

    it('does not list a logged-off session', async (context) => {
      skipWithoutPostgres(context, kit);
      const laptop = new HttpClient(kit.url);
      const phone = new HttpClient(kit.url);
      const { body } = await signIn(laptop, 'list-revoked', PASSWORD);
      const { body: phoneBody } = await signIn(phone, 'list-revoked', PASSWORD);
      const phoneSid = refreshClaims(phone).sid;
      expect((await phone.post(PATHS.logoff, { CSRF_token: phoneBody.CSRF_token })).status).toBe(
        200,
      );
      const sids = (await listSessions(laptop, body)).map((s) => s.sid);
      expect(sids).toEqual([refreshClaims(laptop).sid]);
      expect(sids).not.toContain(phoneSid);
    });
  });

  describe('POST /auth/sessions/revoke/', () => {
    it("revokes one of the caller's sessions so that its refresh fails, and keeps the caller's", async (context) => {
      skipWithoutPostgres(context, kit);
      const laptop = new HttpClient(kit.url);
      const stolen = new HttpClient(kit.url);
      const { body } = await signIn(laptop, 'revoke-user', PASSWORD);
      const { body: stolenBody } = await signIn(stolen, 'revoke-user', PASSWORD);
      const response = await laptop.post(
        PATHS.revoke,
        { sid: refreshClaims(stolen).sid },
        bearer(body),
      );
      expect(response.status).toBe(200);
      await expectError(await refresh(stolen, stolenBody.CSRF_token), 401, 'token_not_valid');
      expect((await refresh(laptop, body.CSRF_token)).status).toBe(200);
    });

    it("answers 404 not_found for another user's session and leaves it alive", async (context) => {
      skipWithoutPostgres(context, kit);
      const owner = new HttpClient(kit.url);
      const stranger = new HttpClient(kit.url);
      const { body: ownerBody } = await signIn(owner, 'revoke-owner', PASSWORD);
      const { body: strangerBody } = await signIn(stranger, 'revoke-stranger', PASSWORD);
      await expectError(
        await stranger.post(PATHS.revoke, { sid: refreshClaims(owner).sid }, bearer(strangerBody)),
        404,
        'not_found',
      );
      expect((await refresh(owner, ownerBody.CSRF_token)).status).toBe(200);
    });

    it('answers 404 not_found for a session id that does not exist', async (context) => {
      skipWithoutPostgres(context, kit);
      const client = new HttpClient(kit.url);
      const { body } = await signIn(client, 'revoke-stranger', PASSWORD);
      await expectError(
        await client.post(
          PATHS.revoke,
          { sid: '6f1c1a52-7c4e-4b71-9a57-8f8d1f7b2a10' },
          bearer(body),
        ),
        404,
        'not_found',
      );
    });
  });

  describe('POST /auth/logoff-all/', () => {
    it("revokes every session of the user and clears the caller's cookies", async (context) => {
      skipWithoutPostgres(context, kit);
      const laptop = new HttpClient(kit.url);
      const phone = new HttpClient(kit.url);
      const { body } = await signIn(laptop, 'all-user', PASSWORD);
      const { body: phoneBody } = await signIn(phone, 'all-user', PASSWORD);
      const laptopKept = cloneClient(laptop);
      const response = await laptop.post(PATHS.logoffAll, undefined, bearer(body));
      expect(response.status).toBe(200);
      expectCookiesCleared(response);
      await expectError(await refresh(laptopKept, body.CSRF_token), 401, 'token_not_valid');
      await expectError(await refresh(phone, phoneBody.CSRF_token), 401, 'token_not_valid');
    });

    it("leaves other users' sessions alive", async (context) => {
      skipWithoutPostgres(context, kit);
      const user = new HttpClient(kit.url);
      const bystander = new HttpClient(kit.url);
      const { body } = await signIn(user, 'all-user', PASSWORD);
      const { body: bystanderBody } = await signIn(bystander, 'all-bystander', PASSWORD);
      expect((await user.post(PATHS.logoffAll, undefined, bearer(body))).status).toBe(200);
      expect((await refresh(bystander, bystanderBody.CSRF_token)).status).toBe(200);
    });
  });

  describeOnPostgres(backend)('a deactivated user', () => {
    it('cannot refresh once is_active is false: 401 and the cookies cleared', async (context) => {
      skipWithoutPostgres(context, kit?.database);
      const client = new HttpClient(kit.url);
      const { body } = await signIn(client, 'deactivated', PASSWORD);
      expect((await refresh(client, body.CSRF_token)).status).toBe(200);
      await kit.database.db
        .update(users)
        .set({ isActive: false })
        .where(eq(users.username, 'deactivated'));
      const response = await refresh(client, body.CSRF_token);
      expectCookiesCleared(response);
      await expectError(response, 401, 'token_not_valid');
    });
  });
});
