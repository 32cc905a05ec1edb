import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, setCookies } from '../../support/http-client';
import { HTTP_BACKENDS, type KitServer } from '../../support/kit-servers';
import { expectError } from '../../support/assertions';
import {
  attributesOf,
  cookiesByName,
  CSRF_COOKIE,
  expectCookiesCleared,
  REFRESH_COOKIE,
  SESSION_COOKIE,
} from '../../support/cookies';
import { PATHS, refresh, signIn, startWarmKit, type TokenBody } from '../../support/requests';
import { skipWithoutPostgres } from '../../support/databases';

const PASSWORD = 'correct-horse-battery';
const HOST = {
  refresh: `__Host-${REFRESH_COOKIE}`,
  csrf: `__Host-${CSRF_COOKIE}`,
  session: `__Host-${SESSION_COOKIE}`,
};

/** A signed-in browser: its cookie jar and the CSRF token its page keeps. */
interface Browser {
  client: HttpClient;
  body: TokenBody;
}

/** The value a jar holds for a cookie, as the browser sends it (URL-encoded, as the client does). */
const sent = (client: HttpClient, name: string) =>
  `${name}=${encodeURIComponent(client.jar.get(name)!.value)}`;

const userIdOf = (body: TokenBody) => decodeJwt(body.access_token).user_id;

/** POSTs a raw Cookie header and the given CSRF token, as a browser page on the app would. */
function post(server: KitServer, path: string, cookie: string, csrf: string): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Cookie: cookie },
    body: JSON.stringify({ CSRF_token: csrf }),
  });
}

describe.each(HTTP_BACKENDS)('cookies bound to the session over next start on %s', (backend) => {
  let kit: KitServer | null = null;
  let host: KitServer | null = null;

  beforeAll(async () => {
    const users = [
      'victim',
      'attacker',
      'dup-victim',
      'dup-attacker',
      'logoff-victim',
      'logoff-attacker',
    ].map((username) => ({ username, password: PASSWORD }));
    [kit, host] = await Promise.all([
      startWarmKit(backend, { users }),
      startWarmKit(backend, { env: { AUTH_COOKIE_PREFIX: '__Host-' }, users }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([kit?.stop(), host?.stop()]);
  });

  async function signedIn(server: KitServer, username: string): Promise<Browser> {
    const client = new HttpClient(server.url);
    return { client, body: (await signIn(client, username, PASSWORD)).body };
  }

  describe('cookie tossing (a refresh cookie planted by a sibling subdomain)', () => {
    it("refuses the attacker's genuine refresh cookie next to the victim's CSRF cookie and token with 403, setting no cookie", async (context) => {
      skipWithoutPostgres(context, kit);
      const victim = await signedIn(kit, 'victim');
      const attacker = await signedIn(kit, 'attacker');
      // The victim's own pair works (the control), and the attacker's cookie is genuine.
      const cookie = `${sent(attacker.client, REFRESH_COOKIE)}; ${sent(victim.client, CSRF_COOKIE)}`;
      const response = await post(kit, PATHS.refresh, cookie, victim.body.CSRF_token);
      await expectError(response, 403, 'csrf_failed');
      expect(response.headers.getSetCookie()).toEqual([]);
      // Nothing was rotated: both sessions go on as before.
      expect((await refresh(attacker.client, attacker.body.CSRF_token)).status).toBe(200);
      const own = await refresh(victim.client, victim.body.CSRF_token);
      expect(own.status).toBe(200);
      expect(userIdOf((await own.json()) as TokenBody)).toBe(userIdOf(victim.body));
    });

    it("refuses log-off with the attacker's refresh cookie and the victim's CSRF pair with 403, ending no session", async (context) => {
      skipWithoutPostgres(context, kit);
      const victim = await signedIn(kit, 'logoff-victim');
      const attacker = await signedIn(kit, 'logoff-attacker');
      const cookie = `${sent(attacker.client, REFRESH_COOKIE)}; ${sent(victim.client, CSRF_COOKIE)}`;
      const response = await post(kit, PATHS.logoff, cookie, victim.body.CSRF_token);
      await expectError(response, 403, 'csrf_failed');
      expect(response.headers.getSetCookie()).toEqual([]);
      expect((await refresh(attacker.client, attacker.body.CSRF_token)).status).toBe(200);
    });
  });

  describe('a cookie sent twice', () => {
    it("refuses two refresh cookies (the planted one first, as a longer path sorts) with 401, clearing the cookies, and leaves the victim's session alive", async (context) => {
      skipWithoutPostgres(context, kit);
      const victim = await signedIn(kit, 'dup-victim');
      const attacker = await signedIn(kit, 'dup-attacker');
      const cookie = [
        sent(attacker.client, REFRESH_COOKIE),
        sent(victim.client, REFRESH_COOKIE),
        sent(victim.client, CSRF_COOKIE),
      ].join('; ');
      const response = await post(kit, PATHS.refresh, cookie, victim.body.CSRF_token);
      expectCookiesCleared(response);
      await expectError(response, 401, 'token_not_valid');
      expect((await refresh(victim.client, victim.body.CSRF_token)).status).toBe(200);
    });

    it('refuses two CSRF cookies with 401', async (context) => {
      skipWithoutPostgres(context, kit);
      const victim = await signedIn(kit, 'dup-victim');
      const attacker = await signedIn(kit, 'dup-attacker');
      const cookie = [
        sent(victim.client, REFRESH_COOKIE),
        sent(attacker.client, CSRF_COOKIE),
        sent(victim.client, CSRF_COOKIE),
      ].join('; ');
      await expectError(
        await post(kit, PATHS.refresh, cookie, victim.body.CSRF_token),
        401,
        'token_not_valid',
      );
    });

    it('refuses log-off with two refresh cookies with 401, revoking neither session', async (context) => {
      skipWithoutPostgres(context, kit);
      const victim = await signedIn(kit, 'dup-victim');
      const attacker = await signedIn(kit, 'dup-attacker');
      const cookie = [
        sent(victim.client, REFRESH_COOKIE),
        sent(attacker.client, REFRESH_COOKIE),
        sent(victim.client, CSRF_COOKIE),
      ].join('; ');
      await expectError(
        await post(kit, PATHS.logoff, cookie, victim.body.CSRF_token),
        401,
        'token_not_valid',
      );
      expect((await refresh(victim.client, victim.body.CSRF_token)).status).toBe(200);
      expect((await refresh(attacker.client, attacker.body.CSRF_token)).status).toBe(200);
    });
  });

  describe('AUTH_COOKIE_PREFIX=__Host-', () => {
    it('sets __Host- refresh, CSRF, device and session cookies, all Secure with Path=/ and no Domain', async (context) => {
      skipWithoutPostgres(context, host);
      const { response } = await signIn(new HttpClient(host.url), 'victim', PASSWORD);
      const cookies = cookiesByName(response);
      expect(Object.keys(cookies).sort()).toEqual([...Object.values(HOST), '__Host-device'].sort());
      for (const name of [HOST.refresh, HOST.csrf, '__Host-device'])
        expect(attributesOf(cookies[name]!)).toEqual({
          httpOnly: true,
          sameSite: 'strict',
          path: '/',
          secure: true,
        });
      expect(attributesOf(cookies[HOST.session]!)).toEqual({
        httpOnly: true,
        sameSite: 'lax',
        path: '/',
        secure: true,
      });
      for (const cookie of setCookies(response)) expect(cookie.domain).toBeUndefined();
    });

    it('refreshes with the prefixed cookies, rotating them under the same names', async (context) => {
      skipWithoutPostgres(context, host);
      const victim = await signedIn(host, 'victim');
      const before = victim.client.jar.get(HOST.refresh)!.value;
      const response = await refresh(victim.client, victim.body.CSRF_token);
      expect(response.status).toBe(200);
      expect(Object.keys(cookiesByName(response)).sort()).toEqual(Object.values(HOST).sort());
      expect(victim.client.jar.get(HOST.refresh)!.value).not.toBe(before);
      expect((await refresh(victim.client, victim.body.CSRF_token)).status).toBe(200);
    });

    it('lets the proxy read the prefixed session cookie for a protected page', async (context) => {
      skipWithoutPostgres(context, host);
      const victim = await signedIn(host, 'victim');
      const page = await fetch(`${host.url}/dashboard`, {
        redirect: 'manual',
        headers: { Cookie: sent(victim.client, HOST.session) },
      });
      expect(page.status).toBe(200);
      const signedOut = await fetch(`${host.url}/dashboard`, { redirect: 'manual' });
      expect(signedOut.status).toBe(307);
    });

    it('ignores a planted unprefixed refresh cookie: the request is the victim own', async (context) => {
      skipWithoutPostgres(context, host);
      const victim = await signedIn(host, 'victim');
      const attacker = await signedIn(host, 'attacker');
      const planted = `${REFRESH_COOKIE}=${encodeURIComponent(attacker.client.jar.get(HOST.refresh)!.value)}`;
      const cookie = [planted, sent(victim.client, HOST.refresh), sent(victim.client, HOST.csrf)];
      const response = await post(host, PATHS.refresh, cookie.join('; '), victim.body.CSRF_token);
      expect(response.status).toBe(200);
      expect(userIdOf((await response.json()) as TokenBody)).toBe(userIdOf(victim.body));
    });

    it('logs off and clears the prefixed cookies with Path=/', async (context) => {
      skipWithoutPostgres(context, host);
      const victim = await signedIn(host, 'victim');
      const response = await victim.client.post(PATHS.logoff, {
        CSRF_token: victim.body.CSRF_token,
      });
      expect(response.status).toBe(200);
      const cleared = cookiesByName(response);
      for (const name of Object.values(HOST)) {
        expect(cleared[name]?.path).toBe('/');
        expect(cleared[name]?.value ?? '').toBe('');
      }
    });
  });
});
