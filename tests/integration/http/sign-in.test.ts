import { eq } from 'drizzle-orm';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '@/db/schema';
import { deactivateUser } from '@/auth/services/users';
import { HttpClient, setCookies } from '../../support/http-client';
import { HTTP_BACKENDS, itOnPostgres, type KitServer } from '../../support/kit-servers';
import { expectError } from '../../support/assertions';
import {
  attributesOf,
  cookiesByName,
  CSRF_COOKIE,
  jwtOfSignedCookie,
  REFRESH_COOKIE,
  SESSION_COOKIE,
} from '../../support/cookies';
import { PATHS, signIn, startWarmKit, type TokenBody } from '../../support/requests';
import { skipWithoutPostgres } from '../../support/databases';

const ISSUER = 'https://auth.kit.test';
const AUDIENCE = 'kit-http-tests';
const PASSWORD = 'correct-horse-battery';

// One user per test that signs in, so the per-username throttle never couples tests.
const SEED = [
  { username: 'body-user', password: PASSWORD, email: 'body@example.com' },
  { username: 'expires-user', password: PASSWORD },
  { username: 'cache-user', password: PASSWORD },
  { username: 'cookie-count-user', password: PASSWORD },
  { username: 'refresh-cookie-user', password: PASSWORD },
  { username: 'csrf-cookie-user', password: PASSWORD },
  { username: 'session-cookie-user', password: PASSWORD },
  { username: 'session-jwt-user', password: PASSWORD },
  { username: 'last-login-user', password: PASSWORD },
  { username: 'slash-user', password: PASSWORD },
  { username: 'noslash-user', password: PASSWORD },
  { username: 'wrong-password-user', password: PASSWORD },
  { username: 'inactive-user', password: PASSWORD },
  { username: 'nocookie-fail-user', password: PASSWORD },
  { username: 'same-body-user', password: PASSWORD },
  { username: 'same-body-inactive', password: PASSWORD },
  { username: 'header-user', password: PASSWORD },
  { username: 'claims-user', password: PASSWORD },
  { username: 'plain-user', password: PASSWORD },
  { username: 'staff-user', password: PASSWORD, isStaff: true },
  { username: 'super-user', password: PASSWORD, isSuperuser: true },
  { username: 'refresh-claims-user', password: PASSWORD },
  { username: 'two-sessions-user', password: PASSWORD },
  { username: 'timing-user', password: PASSWORD },
];

async function ms<T>(run: () => Promise<T>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe.each(HTTP_BACKENDS)('sign-in over next start on %s', (backend) => {
  let kit: KitServer | null = null;
  beforeAll(async () => {
    kit = await startWarmKit(backend, {
      env: { AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE },
      users: SEED,
      prepare: async (db) => {
        await deactivateUser(db, 'inactive-user');
        await deactivateUser(db, 'same-body-inactive');
      },
    });
  });
  afterAll(async () => kit?.stop());

  describe('a successful sign-in', () => {
    it('answers 200 with exactly access_token, expires, CSRF_token and user', async (context) => {
      skipWithoutPostgres(context, kit);
      const { body } = await signIn(new HttpClient(kit.url), 'body-user', PASSWORD);
      expect(Object.keys(body).sort()).toEqual(['CSRF_token', 'access_token', 'expires', 'user']);
      expect(typeof body.access_token).toBe('string');
      expect(typeof body.CSRF_token).toBe('string');
      expect(body.CSRF_token.length).toBeGreaterThanOrEqual(16);
      expect(Number.isInteger(body.expires)).toBe(true);
    });

    it('serializes the user as id, username, email, first_name and last_name, never the password', async (context) => {
      skipWithoutPostgres(context, kit);
      const { body } = await signIn(new HttpClient(kit.url), 'body-user', PASSWORD);
      const claims = decodeJwt(body.access_token);
      expect(body.user).toEqual({
        id: claims.user_id,
        username: 'body-user',
        email: 'body@example.com',
        first_name: '',
        last_name: '',
      });
      expect(JSON.stringify(body)).not.toMatch(/password|argon2/i);
    });

    it('sets expires to the access token exp', async (context) => {
      skipWithoutPostgres(context, kit);
      const { body } = await signIn(new HttpClient(kit.url), 'expires-user', PASSWORD);
      expect(body.expires).toBe(decodeJwt(body.access_token).exp);
    });

    it('answers with Cache-Control: no-store and a JSON content type', async (context) => {
      skipWithoutPostgres(context, kit);
      const { response } = await signIn(new HttpClient(kit.url), 'cache-user', PASSWORD);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    });

    it('sets exactly the refresh, CSRF, session and device cookies', async (context) => {
      skipWithoutPostgres(context, kit);
      const { response } = await signIn(new HttpClient(kit.url), 'cookie-count-user', PASSWORD);
      expect(
        setCookies(response)
          .map((c) => c.name)
          .sort(),
      ).toEqual([CSRF_COOKIE, REFRESH_COOKIE, SESSION_COOKIE, 'device'].sort());
    });

    it('sets the refresh cookie HttpOnly, SameSite=Strict, Path=/auth, Secure, expiring with the refresh token', async (context) => {
      skipWithoutPostgres(context, kit);
      const { response } = await signIn(new HttpClient(kit.url), 'refresh-cookie-user', PASSWORD);
      const cookie = cookiesByName(response)[REFRESH_COOKIE]!;
      const refreshExp = decodeJwt(jwtOfSignedCookie(cookie.value!)).exp!;
      expect({ ...attributesOf(cookie), domain: cookie.domain }).toEqual({
        httpOnly: true,
        sameSite: 'strict',
        path: '/auth',
        secure: true,
        domain: undefined,
      });
      expect(cookie.expires!.getTime() / 1000).toBe(refreshExp);
    });

    it('sets the CSRF cookie like the refresh cookie, holding the signed CSRF token of the body', async (context) => {
      skipWithoutPostgres(context, kit);
      const { response, body } = await signIn(
        new HttpClient(kit.url),
        'csrf-cookie-user',
        PASSWORD,
      );
      const cookies = cookiesByName(response);
      const cookie = cookies[CSRF_COOKIE]!;
      const refreshExp = decodeJwt(jwtOfSignedCookie(cookies[REFRESH_COOKIE]!.value!)).exp!;
      expect(attributesOf(cookie)).toEqual({
        httpOnly: true,
        sameSite: 'strict',
        path: '/auth',
        secure: true,
      });
      expect(cookie.expires!.getTime() / 1000).toBe(refreshExp);
      expect(jwtOfSignedCookie(cookie.value!)).toBe(body.CSRF_token);
      expect(cookie.value).not.toBe(body.CSRF_token);
    });

    it('sets the session cookie HttpOnly, SameSite=Lax, Path=/, Secure, expiring with the refresh token', async (context) => {
      skipWithoutPostgres(context, kit);
      const { response } = await signIn(new HttpClient(kit.url), 'session-cookie-user', PASSWORD);
      const cookies = cookiesByName(response);
      const cookie = cookies[SESSION_COOKIE]!;
      const refreshExp = decodeJwt(jwtOfSignedCookie(cookies[REFRESH_COOKIE]!.value!)).exp!;
      expect(attributesOf(cookie)).toEqual({
        httpOnly: true,
        sameSite: 'lax',
        path: '/',
        secure: true,
      });
      expect(cookie.expires!.getTime() / 1000).toBe(refreshExp);
    });

    it('puts a short {sub, sid, exp} JWT of the same session in the session cookie', async (context) => {
      skipWithoutPostgres(context, kit);
      const { response, body } = await signIn(
        new HttpClient(kit.url),
        'session-jwt-user',
        PASSWORD,
      );
      const cookies = cookiesByName(response);
      const refresh = decodeJwt(jwtOfSignedCookie(cookies[REFRESH_COOKIE]!.value!));
      const session = decodeJwt(cookies[SESSION_COOKIE]!.value!);
      expect(session).toEqual({
        sub: String(decodeJwt(body.access_token).user_id),
        sid: refresh.sid,
        exp: refresh.exp,
      });
    });

    itOnPostgres(backend)('updates last_login in the users row', async (context) => {
      skipWithoutPostgres(context, kit?.database);
      const before = Date.now();
      await signIn(new HttpClient(kit.url), 'last-login-user', PASSWORD);
      const [row] = await kit.database.db
        .select()
        .from(users)
        .where(eq(users.username, 'last-login-user'));
      expect(row?.lastLogin).toBeInstanceOf(Date);
      expect(row!.lastLogin!.getTime()).toBeGreaterThanOrEqual(before - 2000);
      expect(row!.lastLogin!.getTime()).toBeLessThanOrEqual(Date.now() + 2000);
    });

    it('gives every sign-in its own session id', async (context) => {
      skipWithoutPostgres(context, kit);
      const first = await signIn(new HttpClient(kit.url), 'two-sessions-user', PASSWORD);
      const second = await signIn(new HttpClient(kit.url), 'two-sessions-user', PASSWORD);
      const sid = (response: Response) =>
        decodeJwt(jwtOfSignedCookie(cookiesByName(response)[REFRESH_COOKIE]!.value!)).sid;
      expect(sid(first.response)).not.toBe(sid(second.response));
      expect(first.body.CSRF_token).not.toBe(second.body.CSRF_token);
    });
  });

  describe('the URL', () => {
    it("reaches the handler at /auth/sign-in/ (with the seed's trailing slash)", async (context) => {
      skipWithoutPostgres(context, kit);
      const response = await new HttpClient(kit.url).post('/auth/sign-in/', {
        username: 'slash-user',
        password: PASSWORD,
      });
      expect(response.status).toBe(200);
    });

    it('reaches the handler at /auth/sign-in (without the slash), directly or through a method-keeping 308', async (context) => {
      skipWithoutPostgres(context, kit);
      const client = new HttpClient(kit.url);
      let response = await client.post('/auth/sign-in', {
        username: 'noslash-user',
        password: PASSWORD,
      });
      if (response.status === 308) {
        const location = new URL(response.headers.get('location')!, kit.url);
        response = await client.post(location.pathname, {
          username: 'noslash-user',
          password: PASSWORD,
        });
      }
      expect(response.status).toBe(200);
      expect(Object.keys((await response.json()) as TokenBody).sort()).toEqual([
        'CSRF_token',
        'access_token',
        'expires',
        'user',
      ]);
    });
  });

  describe('refused credentials', () => {
    it.for([
      ['an unknown user', 'no-such-user', PASSWORD],
      ['a wrong password', 'wrong-password-user', 'not-the-password'],
      ['an inactive user with the right password', 'inactive-user', PASSWORD],
    ] as const)(
      'answers %s with 401 authentication_failed',
      async ([, username, password], context) => {
        skipWithoutPostgres(context, kit);
        const response = await new HttpClient(kit.url).post(PATHS.signIn, { username, password });
        await expectError(response, 401, 'authentication_failed');
      },
    );

    it('answers unknown user, wrong password and inactive user with the very same body', async (context) => {
      skipWithoutPostgres(context, kit);
      const client = new HttpClient(kit.url);
      const bodies = await Promise.all(
        [
          { username: 'same-body-nobody', password: PASSWORD },
          { username: 'same-body-user', password: 'wrong-password' },
          { username: 'same-body-inactive', password: PASSWORD },
        ].map(async (credentials) => {
          const response = await client.post(PATHS.signIn, credentials);
          return {
            status: response.status,
            body: await response.text(),
            wwwAuthenticate: response.headers.get('www-authenticate'),
          };
        }),
      );
      expect(bodies[1]).toEqual(bodies[0]);
      expect(bodies[2]).toEqual(bodies[0]);
    });

    it('sets no cookie on a failed sign-in', async (context) => {
      skipWithoutPostgres(context, kit);
      const response = await new HttpClient(kit.url).post(PATHS.signIn, {
        username: 'nocookie-fail-user',
        password: 'wrong-password',
      });
      expect(response.status).toBe(401);
      expect(response.headers.getSetCookie()).toEqual([]);
    });

    it('spends comparable time on an unknown user and on a wrong password (dummy hash)', async (context) => {
      skipWithoutPostgres(context, kit);
      const client = new HttpClient(kit.url);
      await client.post(PATHS.signIn, { username: 'timing-warmup', password: 'x-warmup' });
      const unknown: number[] = [];
      const wrong: number[] = [];
      for (let i = 0; i < 4; i++) {
        unknown.push(
          await ms(() =>
            client
              .post(PATHS.signIn, { username: `timing-nobody-${i}`, password: 'wrong-password' })
              .then((r) => r.text()),
          ),
        );
        wrong.push(
          await ms(() =>
            client
              .post(PATHS.signIn, { username: 'timing-user', password: `wrong-password-${i}` })
              .then((r) => r.text()),
          ),
        );
      }
      // Without a dummy hash the unknown user answers several times faster than an Argon2id check.
      expect(median(unknown)).toBeGreaterThan(median(wrong) * 0.5);
    });
  });

  describe('the tokens', () => {
    it('signs the access token with header typ at+jwt, alg ES256 and the kid of the published key', async (context) => {
      skipWithoutPostgres(context, kit);
      const { body } = await signIn(new HttpClient(kit.url), 'header-user', PASSWORD);
      const jwks = (await (await fetch(`${kit.url}${PATHS.jwks}`)).json()) as {
        keys: { kid: string }[];
      };
      const header = decodeProtectedHeader(body.access_token);
      expect(header).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: jwks.keys[0]!.kid });
    });

    it('puts token_type, user_id, sub (a string), jti, sid, auth_time, amr, iat, exp, iss and aud in the access token', async (context) => {
      skipWithoutPostgres(context, kit);
      const { body } = await signIn(new HttpClient(kit.url), 'claims-user', PASSWORD);
      const claims = decodeJwt(body.access_token);
      expect(claims.token_type).toBe('access');
      expect(typeof claims.user_id).toBe('number');
      expect(claims.sub).toBe(String(claims.user_id));
      expect(claims.jti).toMatch(/^[\w-]{16,}$/);
      expect(Math.abs(claims.iat! - Date.now() / 1000)).toBeLessThan(30);
      expect(claims.exp! - claims.iat!).toBe(300);
      expect(claims.iss).toBe(ISSUER);
      expect(claims.aud).toBe(AUDIENCE);
      expect(claims.sid).toMatch(/^[0-9a-f-]{36}$/);
      expect(claims.auth_time).toBe(claims.iat);
      expect(claims.amr).toEqual(['pwd']);
    });

    it.for([
      ['plain-user', false, []],
      ['staff-user', true, ['staff']],
      ['super-user', true, ['admin']],
    ] as [string, boolean, string[]][])(
      "adds the template's custom claims username, is_staff and roles (%s)",
      async ([username, isStaff, roles], context) => {
        skipWithoutPostgres(context, kit);
        const { body } = await signIn(new HttpClient(kit.url), username, PASSWORD);
        const claims = decodeJwt(body.access_token);
        expect({
          username: claims.username,
          is_staff: claims.is_staff,
          roles: claims.roles,
        }).toEqual({ username, is_staff: isStaff, roles });
      },
    );

    it('puts token_type, user_id, sub, jti, sid, iat and exp in the refresh token, with a kid header', async (context) => {
      skipWithoutPostgres(context, kit);
      const { response, body } = await signIn(
        new HttpClient(kit.url),
        'refresh-claims-user',
        PASSWORD,
      );
      const jwt = jwtOfSignedCookie(cookiesByName(response)[REFRESH_COOKIE]!.value!);
      const claims = decodeJwt(jwt);
      const access = decodeJwt(body.access_token);
      expect(claims.token_type).toBe('refresh');
      expect(claims.user_id).toBe(access.user_id);
      expect(claims.sub).toBe(String(access.user_id));
      expect(typeof claims.jti).toBe('string');
      expect(claims.jti).not.toBe(access.jti);
      expect(claims.sid).toMatch(/^[0-9a-f-]{36}$/);
      expect(claims.exp! - claims.iat!).toBe(86_400);
      expect(decodeProtectedHeader(jwt).kid).toBe(decodeProtectedHeader(body.access_token).kid);
      expect(decodeProtectedHeader(jwt).typ).not.toBe('at+jwt');
    });
  });
});
