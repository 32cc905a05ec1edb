import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, setCookies } from '../../support/http-client';
import { HTTP_BACKENDS, type KitServer } from '../../support/kit-servers';
import { expectError } from '../../support/assertions';
import { expectCookiesCleared, refreshClaims } from '../../support/cookies';
import { refresh, signIn, sleep, startWarmKit, type TokenBody } from '../../support/requests';
import { skipWithoutPostgres } from '../../support/databases';

const PASSWORD = 'correct-horse-battery';
const user = (username: string) => ({ username, password: PASSWORD });
const REFRESH_LIFETIME = 3;

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

// The lifetime rules (expiry is not reuse, the leeway, the session max lifetime, the access
// token's end at /auth/verify) are tested in process at a frozen clock (tests/flows/lifetimes);
// this suite keeps what only the server shows: lifetimes read from its environment, and the
// answer to an expired refresh cookie.
describe.each(HTTP_BACKENDS)('token and session lifetimes over next start on %s', (backend) => {
  // Access tokens live 1 s and refresh tokens 3 s.
  let brief: KitServer | null = null;

  beforeAll(async () => {
    brief = await startWarmKit(backend, {
      env: {
        AUTH_ACCESS_TOKEN_LIFETIME: '1',
        AUTH_REFRESH_TOKEN_LIFETIME: String(REFRESH_LIFETIME),
      },
      users: ['lifetimes', 'expired-refresh'].map(user),
    });
  });
  afterAll(async () => {
    await brief?.stop();
  });

  describe.concurrent('lifetimes from the environment', () => {
    it('honours AUTH_ACCESS_TOKEN_LIFETIME and AUTH_REFRESH_TOKEN_LIFETIME', async (context) => {
      skipWithoutPostgres(context, brief);
      const client = new HttpClient(brief.url);
      const body = await signInKeeping(client, 'lifetimes');
      const access = decodeJwt(body.access_token);
      const refreshToken = refreshClaims(client);
      expect(access.exp! - access.iat!).toBe(1);
      expect(refreshToken.exp - refreshToken.iat!).toBe(REFRESH_LIFETIME);
    });

    it('answers an expired refresh token with 401 and clears the three cookies', async (context) => {
      skipWithoutPostgres(context, brief);
      const client = new HttpClient(brief.url);
      const body = await signInKeeping(client, 'expired-refresh');
      await sleep(Math.max(0, refreshClaims(client).exp * 1000 - Date.now()) + 600);
      const response = await refresh(client, body.CSRF_token);
      expectCookiesCleared(response);
      await expectError(response, 401, 'token_not_valid');
    });
  });
});
