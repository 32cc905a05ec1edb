import { eq, sql } from 'drizzle-orm';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identities, users } from '@/db/schema';
import { queryRows } from '@/db/execute';
import { startLocalIdp, type LocalIdp } from '@/dev/idp-local/server';
import { createCognitoTokenMinter, type MintOptions } from '../../support/cognito-tokens';
import { HttpClient, setCookies } from '../../support/http-client';
import { serveJson } from '../../support/json-server';
import { HTTP_BACKENDS, startKit, type KitServer } from '../../support/kit-servers';
import { pkcePair } from '../../unit/dev/idp-local/flow';

const POOL = 'us-east-1_KitTests';
const CLIENT = 'kit-test-client';

describe.each(HTTP_BACKENDS)('social exchange on %s', (backend) => {
  const minter = createCognitoTokenMinter({ userPoolId: POOL, clientId: CLIENT });
  let kit: KitServer | null;
  let jwks: Awaited<ReturnType<typeof serveJson>>;
  let counter = 0;

  /** Mints a pair for a fresh Cognito user unless the claims say otherwise. */
  async function mint(options: MintOptions = {}) {
    counter += 1;
    const sub = `0000${counter}-sub-${backend}`;
    return minter.mint({
      ...options,
      idClaims: { sub, 'cognito:username': `cog${counter}`, email: `cog${counter}@example.com`, ...options.idClaims },
      accessClaims: { sub, username: `cog${counter}`, ...options.accessClaims },
    });
  }

  async function exchange(tokens: { id_token?: unknown; access_token?: unknown }, client = new HttpClient(kit!.url)) {
    const response = await client.post('/auth/social-exchange/', { ...tokens, refresh_token: 'ignored', expires_in: 300, token_type: 'Bearer' });
    return { response, body: (await response.json()) as Record<string, unknown>, client };
  }

  async function userCount(): Promise<number | null> {
    if (!kit?.database) return null;
    const [row] = await queryRows<{ n: number }>(kit.database.db, sql`select count(*)::int as n from users`);
    return Number(row?.n);
  }

  beforeAll(async () => {
    jwks = await serveJson(minter.jwks);
    kit = await startKit(backend, {
      env: { COGNITO_USER_POOL_ID: POOL, COGNITO_CLIENT_ID: CLIENT, AUTH_IDP_JWKS_URL: jwks.url },
      users: [{ username: 'existing', password: 'existing-password-1', email: 'Linked@Example.com' }],
    });
  });
  afterAll(async () => {
    await kit?.stop();
    await jwks.close();
  });

  const test = (name: string, fn: () => Promise<void>) =>
    it(name, async (context) => {
      if (!kit) return context.skip('PostgreSQL unreachable');
      await fn();
    });

  test('a valid exchange creates the user and answers exactly like sign-in', async () => {
    const tokens = await mint({ idClaims: { given_name: 'Ada', family_name: 'Lovelace' } });
    const { response, body } = await exchange(tokens);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(Object.keys(body).sort()).toEqual(['CSRF_token', 'access_token', 'expires', 'user']);
    expect(body.user).toMatchObject({ username: `cog${counter}`, email: `cog${counter}@example.com`, first_name: 'Ada', last_name: 'Lovelace' });
    expect(decodeJwt(body.access_token as string).token_type).toBe('access');
    expect(setCookies(response).map((c) => c.name).sort()).toEqual(['CSRF_token', 'refresh_cookie', 'session']);
  });

  test('the access token says how the session started: amr ["fed"], auth_time of the exchange, its sid', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { response, body } = await exchange(await mint());
    expect(response.status).toBe(200);
    const claims = decodeJwt(body.access_token as string);
    expect(claims).toMatchObject({ amr: ['fed'], sid: expect.any(String) });
    expect(claims.auth_time).toBeGreaterThanOrEqual(before);
    expect(claims.auth_time).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });

  test('a second exchange with fresh tokens for the same sub returns the same user, with names kept in step', async () => {
    const first = await mint();
    const sub = first.idClaims.sub as string;
    const a = await exchange(first);
    const second = await minter.mint({ idClaims: { sub, 'cognito:username': 'renamed', email: first.idClaims.email, given_name: 'New', family_name: 'Name' }, accessClaims: { sub } });
    const b = await exchange(second);
    expect(b.response.status).toBe(200);
    expect((b.body.user as { id: number }).id).toBe((a.body.user as { id: number }).id);
    expect(b.body.user).toMatchObject({ first_name: 'New', last_name: 'Name' });
  });

  test('replaying the same id token is refused', async () => {
    const tokens = await mint();
    expect((await exchange(tokens)).response.status).toBe(200);
    const replay = await exchange(tokens);
    expect(replay.response.status).toBe(401);
    expect(replay.body.code).toBe('authentication_failed');
    expect(setCookies(replay.response)).toEqual([]);
  });

  test('refresh works for a user created by the exchange', async () => {
    const { body, client } = await exchange(await mint());
    const refreshed = await client.post('/auth/refresh/', { CSRF_token: body.CSRF_token });
    expect(refreshed.status).toBe(200);
  });

  test('an existing user with the same verified email is linked, not duplicated', async () => {
    const before = await userCount();
    const { response, body } = await exchange(await mint({ idClaims: { email: 'linked@example.com', email_verified: true } }));
    expect(response.status).toBe(200);
    expect((body.user as { username: string }).username).toBe('existing');
    if (before !== null) expect(await userCount()).toBe(before);
  });

  test('email_verified false is refused with 403 and nothing created', async () => {
    const before = await userCount();
    const { response, body } = await exchange(await mint({ idClaims: { email_verified: false } }));
    expect(response.status).toBe(403);
    expect(body.code).toBe('email_not_verified');
    if (before !== null) expect(await userCount()).toBe(before);
  });

  const now = () => Math.floor(Date.now() / 1000);
  const rejections: [string, () => Promise<{ id_token?: unknown; access_token?: unknown }>][] = [
    ['a wrong audience', () => mint({ idClaims: { aud: 'someone-else' } })],
    ['a wrong client_id in the access token', () => mint({ accessClaims: { client_id: 'someone-else' } })],
    ['a wrong issuer', () => mint({ idClaims: { iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other' } })],
    ['an expired pair', () => mint({ expiresInSeconds: -60 })],
    ['an id token older than idTokenMaxAge', () => mint({ idClaims: { auth_time: now() - 7200, iat: now() - 7200 } })],
    ['swapped token_use', async () => { const t = await mint(); return { id_token: t.access_token, access_token: t.id_token }; }],
    ['an id token where the access token belongs', async () => { const t = await mint(); return { id_token: t.id_token, access_token: t.id_token }; }],
    ['mismatched sub', () => mint({ accessClaims: { sub: 'somebody-else' } })],
    ['a pair signed by another key', () => mint({ signWithOtherKey: true })],
    ['an unknown kid', () => mint({ kid: 'unknown-kid' })],
    ['garbage strings', async () => ({ id_token: 'garbage', access_token: 'also.garbage.here' })],
  ];
  for (const [what, tokens] of rejections) {
    test(`${what} is refused with 401 and nothing is created`, async () => {
      const before = await userCount();
      const { response, body } = await exchange(await tokens());
      expect(response.status).toBe(401);
      expect(body.code).toBe('authentication_failed');
      expect(setCookies(response)).toEqual([]);
      if (before !== null) expect(await userCount()).toBe(before);
    });
  }

  const badBodies: [string, Record<string, unknown>][] = [
    ['a missing id_token', { access_token: 'x' }],
    ['a missing access_token', { id_token: 'x' }],
    ['a number for id_token', { id_token: 5, access_token: 'x' }],
    ['an empty id_token', { id_token: '', access_token: 'x' }],
  ];
  for (const [what, body] of badBodies) {
    test(`${what} is refused with 400 invalid_request`, async () => {
      const { response, body: answer } = await exchange(body);
      expect(response.status).toBe(400);
      expect(answer.code).toBe('invalid_request');
    });
  }

  test('concurrent first exchanges for one new sub create exactly one user', async () => {
    const sub = `concurrent-${backend}`;
    const pairs = await Promise.all(
      Array.from({ length: 6 }, () => minter.mint({ idClaims: { sub, 'cognito:username': 'racer', email: 'racer@example.com', jti: crypto.randomUUID() }, accessClaims: { sub } })),
    );
    const answers = await Promise.all(pairs.map((p) => exchange(p)));
    expect(answers.map((a) => a.response.status)).toEqual(answers.map(() => 200));
    expect(new Set(answers.map((a) => (a.body.user as { id: number }).id)).size).toBe(1);
    if (kit!.database) {
      const links = await kit!.database.db.select().from(identities).where(eq(identities.subject, sub));
      expect(links).toHaveLength(1);
      expect(await kit!.database.db.select().from(users).where(eq(users.username, 'racer'))).toHaveLength(1);
    }
  });
});

describe('the Cognito journey through the local stand-in IdP, over HTTP', () => {
  let idp: LocalIdp;
  let kit: KitServer | null;

  beforeAll(async () => {
    idp = await startLocalIdp({ redirectUris: ['http://localhost:3000/callback'] });
    kit = await startKit('pglite', {
      env: { COGNITO_USER_POOL_ID: idp.userPoolId, COGNITO_CLIENT_ID: idp.clientId, COGNITO_AUTHORITY: idp.url, AUTH_IDP_JWKS_URL: idp.jwksUrl },
    });
  });
  afterAll(async () => {
    await kit?.stop();
    await idp.close();
  });

  it('authorize form, PKCE code exchange, then social exchange signs the demo user in', async () => {
    const { verifier, challenge } = pkcePair();
    const form = { response_type: 'code', client_id: idp.clientId, redirect_uri: 'http://localhost:3000/callback', state: 's', code_challenge: challenge, code_challenge_method: 'S256', scope: 'openid email profile', username: 'demo', password: 'demo-password-123' };
    const signedIn = await fetch(`${idp.url}/oauth2/authorize`, { method: 'POST', body: new URLSearchParams(form), redirect: 'manual' });
    expect(signedIn.status).toBe(302);
    const code = new URL(signedIn.headers.get('location')!).searchParams.get('code')!;
    const tokenResponse = await fetch(`${idp.url}/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: form.redirect_uri, client_id: idp.clientId, code_verifier: verifier }),
    });
    const tokens = (await tokenResponse.json()) as Record<string, unknown>;
    const exchanged = await new HttpClient(kit!.url).post('/auth/social-exchange/', tokens);
    expect(exchanged.status).toBe(200);
    expect(((await exchanged.json()) as { user: { username: string } }).user.username).toBe('demo');
  });
});
