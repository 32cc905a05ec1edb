import { eq } from 'drizzle-orm';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '@/db/schema';
import { CookieSigner } from '@/auth/cookies/signing';
import { HttpClient } from '../../support/http-client';
import { HTTP_BACKENDS, itOnPostgres, type KitServer } from '../../support/kit-servers';
import { expectError } from '../../support/assertions';
import {
  attributesOf,
  cookiesByName,
  CSRF_COOKIE,
  expectCookiesCleared,
  jwtOfSignedCookie,
  refreshClaims,
  refreshJwt,
  REFRESH_COOKIE,
  SESSION_COOKIE,
} from '../../support/cookies';
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
const user = (username: string, extra: { isStaff?: boolean } = {}) => ({
  username,
  password: PASSWORD,
  ...extra,
});

describe.each(HTTP_BACKENDS)('refresh over next start on %s', (backend) => {
  // The reuse and grace-window rules (windows, ancestors, families) are tested in process at a
  // frozen clock (tests/flows/refresh.test.ts); this suite keeps what HTTP shows.
  let kit: KitServer | null = null;

  beforeAll(async () => {
    kit = await startWarmKit(backend, {
      users: [
        'body-csrf',
        'header-csrf',
        'no-body',
        'rotation',
        'cookie-attrs',
        'claims-recomputed',
        'no-cookie',
        'tampered-sig',
        'tampered-jwt',
        'access-in-cookie',
        'wrong-csrf',
        'missing-csrf',
        'missing-csrf-cookie',
        'foreign-csrf-a',
        'foreign-csrf-b',
        'after-csrf',
        'grace-twin',
        'ancestor',
      ].map((name) => user(name)),
    });
  });
  afterAll(async () => {
    await kit?.stop();
  });

  /** A forged cookie value signed with the kit's real cookie key (AUTH_SECRET and the default salt). */
  function signCookie(server: KitServer, name: string, value: string): string {
    return new CookieSigner(server.env.AUTH_SECRET!, 'extra').sign(name, value);
  }

  /** Control for a forgery: the local signer reproduces the cookie the server set, byte for byte. */
  function expectSignerMatchesServer(server: KitServer, client: HttpClient): void {
    const issued = decodeURIComponent(client.jar.get(REFRESH_COOKIE)!.value);
    expect(signCookie(server, REFRESH_COOKIE, refreshJwt(client))).toBe(issued);
  }

  describe('a valid refresh', () => {
    it('answers 200 with the CSRF token in the body, with the sign-in body shape and no-store', async (context) => {
      skipWithoutPostgres(context, kit);
      const client = new HttpClient(kit.url);
      const { body } = await signIn(client, 'body-csrf', PASSWORD);
      const response = await refresh(client, body.CSRF_token);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const refreshed = (await response.json()) as TokenBody;
      expect(Object.keys(refreshed).sort()).toEqual([
        'CSRF_token',
        'access_token',
        'expires',
        'user',
      ]);
      expect(refreshed.expires).toBe(decodeJwt(refreshed.access_token).exp);
    });

    it('answers 200 with the CSRF token in the X-CSRF-Token header', async (context) => {
      skipWithoutPostgres(context, kit);
      const client = new HttpClient(kit.url);
      const { body } = await signIn(client, 'header-csrf', PASSWORD);
      const response = await client.post(PATHS.refresh, {}, { 'X-CSRF-Token': body.CSRF_token });
      expect(response.status).toBe(200);
    });

    it('answers 200 to a request with no body at all and the CSRF token in the header', async (context) => {
      skipWithoutPostgres(context, kit);
      const client = new HttpClient(kit.url);
      const { body } = await signIn(client, 'no-body', PASSWORD);
      const response = await client.request('POST', PATHS.refresh, {
        headers: { 'X-CSRF-Token': body.CSRF_token },
      });
      expect(response.status).toBe(200);
    });

    it('rotates: a new refresh token (new jti, same sid) and a new access token', async (context) => {
      skipWithoutPostgres(context, kit);
      const client = new HttpClient(kit.url);
      const { body } = await signIn(client, 'rotation', PASSWORD);
      const before = refreshClaims(client);
      const refreshed = (await (await refresh(client, body.CSRF_token)).json()) as TokenBody;
      const after = refreshClaims(client);
      expect(after.jti).not.toBe(before.jti);
      expect(after.sid).toBe(before.sid);
      expect(after.token_type).toBe('refresh');
      expect(decodeJwt(refreshed.access_token).jti).not.toBe(decodeJwt(body.access_token).jti);
      // One session, one CSRF token: two tabs never disagree about it.
      expect(refreshed.CSRF_token).toBe(body.CSRF_token);
    });

    it('sets the three cookies with the sign-in attributes, expiring with the new refresh token', async (context) => {
      skipWithoutPostgres(context, kit);
      const client = new HttpClient(kit.url);
      const { body } = await signIn(client, 'cookie-attrs', PASSWORD);
      const response = await refresh(client, body.CSRF_token);
      const cookies = cookiesByName(response);
      const exp = decodeJwt(jwtOfSignedCookie(cookies[REFRESH_COOKIE]!.value!)).exp!;
      const attrs = (name: string) => ({
        ...attributesOf(cookies[name]!),
        expires: cookies[name]!.expires!.getTime() / 1000,
      });
      expect(attrs(REFRESH_COOKIE)).toEqual({
        httpOnly: true,
        sameSite: 'strict',
        path: '/auth',
        secure: true,
        expires: exp,
      });
      expect(attrs(CSRF_COOKIE)).toEqual({
        httpOnly: true,
        sameSite: 'strict',
        path: '/auth',
        secure: true,
        expires: exp,
      });
      expect(attrs(SESSION_COOKIE)).toEqual({
        httpOnly: true,
        sameSite: 'lax',
        path: '/',
        secure: true,
        expires: exp,
      });
    });

    itOnPostgres(backend)(
      'recomputes the custom claims from the current user row (is_staff changed in the database)',
      async (context) => {
        skipWithoutPostgres(context, kit?.database);
        const client = new HttpClient(kit.url);
        const { body } = await signIn(client, 'claims-recomputed', PASSWORD);
        expect(decodeJwt(body.access_token)).toMatchObject({ is_staff: false, roles: [] });
        await kit.database.db
          .update(users)
          .set({ isStaff: true })
          .where(eq(users.username, 'claims-recomputed'));
        const refreshed = (await (await refresh(client, body.CSRF_token)).json()) as TokenBody;
        expect(decodeJwt(refreshed.access_token)).toMatchObject({
          is_staff: true,
          roles: ['staff'],
        });
      },
    );
  });

  describe('a refused refresh cookie', () => {
    it('answers 401 without a refresh cookie and clears all three cookies', async (context) => {
      skipWithoutPostgres(context, kit);
      const response = await refresh(new HttpClient(kit.url), 'whatever');
      expectCookiesCleared(response);
      await expectError(response, 401, 'token_not_valid');
    });

    it('answers 401 for a refresh cookie whose signature was tampered with, and clears the cookies', async (context) => {
      skipWithoutPostgres(context, kit);
      const client = new HttpClient(kit.url);
      const { body } = await signIn(client, 'tampered-sig', PASSWORD);
      const cookie = client.jar.get(REFRESH_COOKIE)!;
      const last = cookie.value.at(-2) === 'A' ? 'B' : 'A';
      cookie.value = `${cookie.value.slice(0, -2)}${last}${cookie.value.at(-1)}`;
      const response = await refresh(client, body.CSRF_token);
      expectCookiesCleared(response);
      await expectError(response, 401, 'token_not_valid');
    });

    it('answers 401 for a correctly cookie-signed refresh JWT whose payload was altered, and clears the cookies', async (context) => {
      skipWithoutPostgres(context, kit);
      const client = new HttpClient(kit.url);
      const { body } = await signIn(client, 'tampered-jwt', PASSWORD);
      const [header, payload, signature] = refreshJwt(client).split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<
        string,
        unknown
      >;
      const altered = `${header}.${Buffer.from(JSON.stringify({ ...claims, exp: (claims.exp as number) + 86_400 })).toString('base64url')}.${signature}`;
      expectSignerMatchesServer(kit, client);
      client.jar.get(REFRESH_COOKIE)!.value = signCookie(kit, REFRESH_COOKIE, altered);
      const response = await refresh(client, body.CSRF_token);
      expectCookiesCleared(response);
      await expectError(response, 401, 'token_not_valid');
    });

    it.for([
      ['a cookie that is not URL-decodable', 'refresh_cookie=%E0%A4%A; CSRF_token=%ZZ'],
      ['a cookie without a signature', 'refresh_cookie=eyJhbGciOiJFUzI1NiJ9.e30.c2ln'],
      ['an empty cookie', 'refresh_cookie='],
      ['a cookie header of garbage', ';;;=;=='],
    ])('answers 401 for %s, without a 500', async ([, cookie], context) => {
      skipWithoutPostgres(context, kit);
      const response = await fetch(`${kit.url}${PATHS.refresh}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Cookie: cookie! },
        body: JSON.stringify({ CSRF_token: 'x' }),
      });
      await expectError(response, 401, 'token_not_valid');
    });

    it('answers 401 for an access token in the refresh cookie (never accepted where a refresh token is expected)', async (context) => {
      skipWithoutPostgres(context, kit);
      const client = new HttpClient(kit.url);
      const { body } = await signIn(client, 'access-in-cookie', PASSWORD);
      expectSignerMatchesServer(kit, client);
      client.jar.get(REFRESH_COOKIE)!.value = signCookie(kit, REFRESH_COOKIE, body.access_token);
      const response = await refresh(client, body.CSRF_token);
      expectCookiesCleared(response);
      await expectError(response, 401, 'token_not_valid');
    });
  });

  describe('CSRF', () => {
    it('answers a wrong CSRF token with 403 and leaves the cookies untouched', async (context) => {
      skipWithoutPostgres(context, kit);
      const client = new HttpClient(kit.url);
      const { body } = await signIn(client, 'wrong-csrf', PASSWORD);
      const response = await refresh(
        client,
        `${body.CSRF_token.slice(0, -1)}${body.CSRF_token.endsWith('A') ? 'B' : 'A'}`,
      );
      await expectError(response, 403, 'csrf_failed');
      expect(response.headers.getSetCookie()).toEqual([]);
    });

    it('answers a missing CSRF token with 403 and leaves the cookies untouched', async (context) => {
      skipWithoutPostgres(context, kit);
      const client = new HttpClient(kit.url);
      await signIn(client, 'missing-csrf', PASSWORD);
      const response = await refresh(client, undefined);
      await expectError(response, 403, 'csrf_failed');
      expect(response.headers.getSetCookie()).toEqual([]);
    });

    it('answers 403 when the CSRF cookie is missing, even with the right token in the body', async (context) => {
      skipWithoutPostgres(context, kit);
      const client = new HttpClient(kit.url);
      const { body } = await signIn(client, 'missing-csrf-cookie', PASSWORD);
      client.jar.delete(CSRF_COOKIE);
      const response = await refresh(client, body.CSRF_token);
      await expectError(response, 403, 'csrf_failed');
      expect(response.headers.getSetCookie()).toEqual([]);
    });

    it("answers another session's CSRF token with 403", async (context) => {
      skipWithoutPostgres(context, kit);
      const a = new HttpClient(kit.url);
      const b = new HttpClient(kit.url);
      await signIn(a, 'foreign-csrf-a', PASSWORD);
      const { body: bBody } = await signIn(b, 'foreign-csrf-b', PASSWORD);
      await expectError(await refresh(a, bBody.CSRF_token), 403, 'csrf_failed');
    });

    it('keeps the session usable after a CSRF failure', async (context) => {
      skipWithoutPostgres(context, kit);
      const client = new HttpClient(kit.url);
      const { body } = await signIn(client, 'after-csrf', PASSWORD);
      expect((await refresh(client, 'not-the-token')).status).toBe(403);
      expect((await refresh(client, body.CSRF_token)).status).toBe(200);
    });
  });

  describe('reuse and the grace window', () => {
    it('answers the immediate predecessor within the grace window with the same successor (same jti and exp)', async (context) => {
      skipWithoutPostgres(context, kit);
      const tab1 = new HttpClient(kit.url);
      const { body } = await signIn(tab1, 'grace-twin', PASSWORD);
      const tab2 = cloneClient(tab1);
      expect((await refresh(tab1, body.CSRF_token)).status).toBe(200);
      const response = await refresh(tab2, body.CSRF_token);
      expect(response.status).toBe(200);
      const [first, second] = [refreshClaims(tab1), refreshClaims(tab2)];
      expect({ jti: second.jti, exp: second.exp, sid: second.sid }).toEqual({
        jti: first.jti,
        exp: first.exp,
        sid: first.sid,
      });
    });

    it('revokes the whole session when an older ancestor is presented, even within the grace window', async (context) => {
      skipWithoutPostgres(context, kit);
      const current = new HttpClient(kit.url);
      const { body } = await signIn(current, 'ancestor', PASSWORD);
      const ancestor = cloneClient(current);
      expect((await refresh(current, body.CSRF_token)).status).toBe(200);
      expect((await refresh(current, body.CSRF_token)).status).toBe(200);
      const replay = await refresh(ancestor, body.CSRF_token);
      expectCookiesCleared(replay);
      await expectError(replay, 401, 'token_not_valid');
      // The revoked session's newest token: refused too, and its cookies cleared.
      const newest = await refresh(current, body.CSRF_token);
      expectCookiesCleared(newest);
      await expectError(newest, 401, 'token_not_valid');
    });
  });
});
