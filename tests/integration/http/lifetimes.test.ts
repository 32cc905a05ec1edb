import { sql } from 'drizzle-orm';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, setCookies } from '../../support/http-client';
import { HTTP_BACKENDS, type KitServer } from '../../support/kit-servers';
import {
  cookiesByName,
  expectCookiesCleared,
  expectError,
  loggedEvents,
  PATHS,
  refresh,
  refreshClaims,
  refreshJwt,
  REFRESH_COOKIE,
  signIn,
  sleep,
  startWarmKit,
  waitForEvents,
  type TokenBody,
} from '../../support/contract';

const PASSWORD = 'correct-horse-battery';
const user = (username: string) => ({ username, password: PASSWORD });
const SESSION_MAX = 5;
const REFRESH_LIFETIME = 3;
const LEEWAY = 5;

/**
 * Signs in and keeps the auth cookies in the jar whatever their expiry (on a busy machine a
 * short-lived cookie can be past its Expires by the time the answer is read, and the jar would drop
 * it): the tests present expired cookies on purpose.
 */
async function signInKeeping(client: HttpClient, username: string): Promise<TokenBody> {
  const { body, response } = await signIn(client, username, PASSWORD);
  for (const cookie of setCookies(response))
    client.jar.set(cookie.name, { value: cookie.value ?? '', path: cookie.path ?? '/' });
  return body;
}

describe.each(HTTP_BACKENDS)('token and session lifetimes over next start on %s', (backend) => {
  // Access tokens live 1 s and refresh tokens 3 s.
  let brief: KitServer | null = null;
  // A refresh lifetime of a day, but sessions end 5 s after sign-in.
  let capped: KitServer | null = null;
  // Refresh tokens live 2 s, with a leeway of 5 s.
  let lenient: KitServer | null = null;

  beforeAll(async () => {
    [brief, capped, lenient] = await Promise.all([
      startWarmKit(backend, {
        env: {
          AUTH_ACCESS_TOKEN_LIFETIME: '1',
          AUTH_REFRESH_TOKEN_LIFETIME: String(REFRESH_LIFETIME),
        },
        users: ['lifetimes', 'expired-refresh', 'expired-not-reuse', 'expired-access'].map(user),
      }),
      startWarmKit(backend, {
        env: { AUTH_SESSION_MAX_LIFETIME: String(SESSION_MAX) },
        users: ['capped-first', 'capped-rotation', 'capped-end'].map(user),
      }),
      startWarmKit(backend, {
        env: { AUTH_REFRESH_TOKEN_LIFETIME: '2', AUTH_LEEWAY: String(LEEWAY) },
        users: ['leeway'].map(user),
      }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([brief?.stop(), capped?.stop(), lenient?.stop()]);
  });

  describe.concurrent('lifetimes from the environment', () => {
    it('honours AUTH_ACCESS_TOKEN_LIFETIME and AUTH_REFRESH_TOKEN_LIFETIME', async (context) => {
      if (!brief) return context.skip('PostgreSQL unreachable');
      const client = new HttpClient(brief.url);
      const body = await signInKeeping(client, 'lifetimes');
      const access = decodeJwt(body.access_token);
      const refreshToken = refreshClaims(client);
      expect(access.exp! - access.iat!).toBe(1);
      expect(refreshToken.exp - refreshToken.iat!).toBe(REFRESH_LIFETIME);
    });

    it('refuses an expired access token at /auth/verify', async (context) => {
      if (!brief) return context.skip('PostgreSQL unreachable');
      const { body } = await signIn(new HttpClient(brief.url), 'expired-access', PASSWORD);
      await sleep(2100);
      await expectError(
        await new HttpClient(brief.url).post(PATHS.verify, { token: body.access_token }),
        401,
        'token_not_valid',
      );
    });
  });

  describe.concurrent('an expired refresh token', () => {
    it('answers 401 and clears the three cookies', async (context) => {
      if (!brief) return context.skip('PostgreSQL unreachable');
      const client = new HttpClient(brief.url);
      const body = await signInKeeping(client, 'expired-refresh');
      await sleep(Math.max(0, refreshClaims(client).exp * 1000 - Date.now()) + 600);
      const response = await refresh(client, body.CSRF_token);
      expectCookiesCleared(response);
      await expectError(response, 401, 'token_not_valid');
    });

    it('is not reuse: the session is not revoked and no reuse is reported', async (context) => {
      if (!brief) return context.skip('PostgreSQL unreachable');
      const client = new HttpClient(brief.url);
      const body = await signInKeeping(client, 'expired-not-reuse');
      const { sid, exp } = refreshClaims(client);
      await sleep(Math.max(0, exp * 1000 - Date.now()) + 600);
      expect((await refresh(client, body.CSRF_token)).status).toBe(401);
      const events = await waitForEvents(brief.output, (all) =>
        all.some((e) => e.event.type.startsWith('refresh.') && e.event.reason === 'expired'),
      );
      expect(
        events.filter((e) => e.event.type === 'refresh.reuse_detected' && e.event.sid === sid),
      ).toEqual([]);
      expect(
        loggedEvents(brief.output()).some(
          (e) => e.event.type === 'refresh.failure' && e.event.reason === 'expired',
        ),
      ).toBe(true);
      if (brief.database) {
        const rows = await brief.database.db.execute(sql`
          select s.revoked_at,
            (select count(*) from blacklisted_tokens b join outstanding_tokens o on o.id = b.token_id where o.sid = s.sid)::int as blacklisted
          from sessions s where s.sid = ${sid}`);
        expect((rows as unknown as { rows: unknown[] }).rows).toEqual([
          { revoked_at: null, blacklisted: 0 },
        ]);
      }
    });
  });

  describe('AUTH_LEEWAY', () => {
    it('applies to refresh as it does to /auth/verify/: a refresh token just past its exp is still accepted by both', async (context) => {
      if (!lenient) return context.skip('PostgreSQL unreachable');
      const client = new HttpClient(lenient.url);
      const body = await signInKeeping(client, 'leeway');
      const { exp } = refreshClaims(client);
      // 1 s past expiry, well inside the leeway.
      await sleep(Math.max(0, exp * 1000 - Date.now()) + 1000);
      const verified = await new HttpClient(lenient.url).post(PATHS.verify, {
        token: refreshJwt(client),
      });
      expect(verified.status).toBe(200);
      const refreshed = await refresh(client, body.CSRF_token);
      expect(refreshed.status).toBe(200);
      expect(((await refreshed.json()) as TokenBody).access_token).toBeTruthy();
    });
  });

  describe.concurrent('the session max lifetime', () => {
    it('caps the first refresh cookie at the session max lifetime', async (context) => {
      if (!capped) return context.skip('PostgreSQL unreachable');
      const client = new HttpClient(capped.url);
      const before = Math.floor(Date.now() / 1000);
      const { response } = await signIn(client, 'capped-first', PASSWORD);
      const expires = cookiesByName(response)[REFRESH_COOKIE]!.expires!.getTime() / 1000;
      expect(expires).toBeGreaterThanOrEqual(before + SESSION_MAX - 1);
      expect(expires).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + SESSION_MAX);
      expect(refreshClaims(client).exp).toBe(expires);
    });

    it('never extends the session on rotation: the successor expires when the session does', async (context) => {
      if (!capped) return context.skip('PostgreSQL unreachable');
      const client = new HttpClient(capped.url);
      const { response, body } = await signIn(client, 'capped-rotation', PASSWORD);
      const firstExpires = cookiesByName(response)[REFRESH_COOKIE]!.expires!.getTime();
      await sleep(1100);
      const refreshed = await refresh(client, body.CSRF_token);
      expect(refreshed.status).toBe(200);
      expect(cookiesByName(refreshed)[REFRESH_COOKIE]!.expires!.getTime()).toBe(firstExpires);
    });

    it('ends the session at its max lifetime although the refresh lifetime is longer', async (context) => {
      if (!capped) return context.skip('PostgreSQL unreachable');
      const client = new HttpClient(capped.url);
      const { body } = await signIn(client, 'capped-end', PASSWORD);
      const end = refreshClaims(client).exp * 1000;
      await sleep(1000);
      expect((await refresh(client, body.CSRF_token)).status).toBe(200);
      await sleep(Math.max(0, end - Date.now()) + 600);
      await expectError(await refresh(client, body.CSRF_token), 401, 'token_not_valid');
    });
  });
});
