import { eq, sql } from 'drizzle-orm';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identities, users } from '@/db/schema';
import { queryRows } from '@/db/execute';
import { startLocalIdp, type LocalIdp } from '@/dev/idp-local/server';
import { createCognitoTokenMinter, type MintOptions } from '../../support/cognito-tokens';
import {
  createOidcTokenMinter,
  malleateEs256,
  type OidcTokenMinter,
} from '../../support/oidc-tokens';
import { HttpClient, setCookies } from '../../support/http-client';
import { serveJson } from '../../support/json-server';
import { HTTP_BACKENDS, startKit, type KitServer } from '../../support/kit-servers';
import { pkcePair } from '../../unit/dev/idp-local/flow';
import { skipWithoutPostgres } from '../../support/databases';

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
      idClaims: {
        sub,
        'cognito:username': `cog${counter}`,
        email: `cog${counter}@example.com`,
        ...options.idClaims,
      },
      accessClaims: { sub, username: `cog${counter}`, ...options.accessClaims },
    });
  }

  async function exchange(
    tokens: { id_token?: unknown; access_token?: unknown },
    client = new HttpClient(kit!.url),
  ) {
    const response = await client.post('/auth/social-exchange/', {
      ...tokens,
      refresh_token: 'ignored',
      expires_in: 300,
      token_type: 'Bearer',
    });
    return { response, body: (await response.json()) as Record<string, unknown>, client };
  }

  async function userCount(): Promise<number | null> {
    if (!kit?.database) return null;
    const [row] = await queryRows<{ n: number }>(
      kit.database.db,
      sql`select count(*)::int as n from users`,
    );
    return Number(row?.n);
  }

  beforeAll(async () => {
    jwks = await serveJson(minter.jwks);
    kit = await startKit(backend, {
      env: { COGNITO_USER_POOL_ID: POOL, COGNITO_CLIENT_ID: CLIENT, AUTH_IDP_JWKS_URL: jwks.url },
      users: [
        {
          username: 'existing',
          password: 'existing-password-1',
          email: 'Linked@Example.com',
          emailVerified: true,
        },
        {
          username: 'victim',
          password: 'victim-password-1',
          email: 'victim@gmail.com',
          emailVerified: true,
        },
        {
          username: 'kate',
          password: 'kate-password-1',
          email: 'kate@example.com',
          emailVerified: true,
        },
        // Created with the CLI without --email-verified: the address is not proven.
        { username: 'unproven', password: 'unproven-password-1', email: 'unproven@example.com' },
        { username: 'admin', password: 'admin-password-1' },
      ],
    });
  });
  afterAll(async () => {
    await kit?.stop();
    await jwks.close();
  });

  const test = (name: string, fn: () => Promise<void>) =>
    it(name, async (context) => {
      skipWithoutPostgres(context, kit);
      await fn();
    });

  test('a valid exchange creates the user and answers exactly like sign-in', async () => {
    const tokens = await mint({ idClaims: { given_name: 'Ada', family_name: 'Lovelace' } });
    const { response, body } = await exchange(tokens);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(Object.keys(body).sort()).toEqual(['CSRF_token', 'access_token', 'expires', 'user']);
    expect(body.user).toMatchObject({
      username: `cog${counter}`,
      email: `cog${counter}@example.com`,
      first_name: 'Ada',
      last_name: 'Lovelace',
    });
    expect(decodeJwt(body.access_token as string).token_type).toBe('access');
    expect(
      setCookies(response)
        .map((c) => c.name)
        .sort(),
    ).toEqual(['CSRF_token', 'refresh_cookie', 'session']);
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
    const second = await minter.mint({
      idClaims: {
        sub,
        'cognito:username': 'renamed',
        email: first.idClaims.email,
        given_name: 'New',
        family_name: 'Name',
      },
      accessClaims: { sub },
    });
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
    const { response, body } = await exchange(
      await mint({ idClaims: { email: 'linked@example.com', email_verified: true } }),
    );
    expect(response.status).toBe(200);
    expect((body.user as { username: string }).username).toBe('existing');
    if (before !== null) expect(await userCount()).toBe(before);
  });

  for (const value of [false, 'false'])
    test(`email_verified ${JSON.stringify(value)} is refused with 403 and nothing created`, async () => {
      const before = await userCount();
      const { response, body } = await exchange(
        await mint({ idClaims: { email_verified: value } }),
      );
      expect(response.status).toBe(403);
      expect(body.code).toBe('email_not_verified');
      if (before !== null) expect(await userCount()).toBe(before);
    });

  const username = (body: Record<string, unknown>) => (body.user as { username: string }).username;

  // Under the C.UTF-8 ctype SQL lower() folds İ to i and the Kelvin sign to k: linking by it gave
  // these identities the accounts of victim@gmail.com and kate@example.com.
  for (const [what, address, owner] of [
    ['an IDN lookalike domain (gmaİl.com)', 'victim@gmaİl.com', 'victim'],
    ['a local part with the Kelvin sign', '\u212Aate@example.com', 'kate'],
    ['a local part with a dotted capital I', 'vİctim@gmail.com', 'victim'],
  ] as const)
    test(`a verified address with ${what} is not linked to the account it folds to`, async () => {
      const { response, body } = await exchange(
        await mint({ idClaims: { email: address, email_verified: true } }),
      );
      expect(response.status).toBe(200);
      expect(username(body)).not.toBe(owner);
      expect(username(body)).toBe(`cog${counter}`);
    });

  test('the same verified address in another ASCII case is linked to its owner', async () => {
    const { response, body } = await exchange(
      await mint({ idClaims: { email: 'VICTIM@Gmail.COM', email_verified: true } }),
    );
    expect(response.status).toBe(200);
    expect(username(body)).toBe('victim');
  });

  test('a user whose own address is not verified is never linked, even to a verified IdP address', async () => {
    const { response, body } = await exchange(
      await mint({ idClaims: { email: 'unproven@example.com', email_verified: true } }),
    );
    expect(response.status).toBe(200);
    expect(username(body)).not.toBe('unproven');
  });

  // Pre-account hijacking: an attacker's IdP account claims the victim's address unverified; the
  // victim's later verified sign-in must not land in the attacker's user.
  for (const [what, claim] of [
    ['missing', undefined],
    ['"FALSE"', 'FALSE'],
    ['0', 0],
    ['"yes"', 'yes'],
  ] as const)
    test(`an address with email_verified ${what} is kept off the user, and its owner's verified sign-in is not linked to it`, async () => {
      const address = `owner-${counter}-${backend}@example.com`;
      const attacker = await exchange(
        await mint({ idClaims: { email: address, email_verified: claim } }),
      );
      expect(attacker.response.status).toBe(200);
      const attackerSub = `0000${counter}-sub-${backend}`;
      const owner = await exchange(
        await mint({ idClaims: { email: address, email_verified: true } }),
      );
      expect(owner.response.status).toBe(200);
      expect((owner.body.user as { id: number }).id).not.toBe(
        (attacker.body.user as { id: number }).id,
      );
      expect(attacker.body.user).toMatchObject({ email: '' });
      expect(owner.body.user).toMatchObject({ email: address });
      if (kit!.database) {
        const [identity] = await kit!.database.db
          .select()
          .from(identities)
          .where(eq(identities.subject, attackerSub));
        expect(identity).toMatchObject({ email: address, emailVerified: false });
      }
    });

  // An IdP-created user may not take a name another user has in another case, or one that looks
  // the same (Cyrillic а in аdmin); it gets a random suffix instead.
  for (const wanted of ['Admin', 'ADMIN', 'аdmin', 'ａｄｍｉｎ'])
    test(`an IdP username ${JSON.stringify(wanted)} is not created next to admin`, async () => {
      const { response, body } = await exchange(
        await mint({ idClaims: { 'cognito:username': wanted } }),
      );
      expect(response.status).toBe(200);
      expect(username(body)).toMatch(new RegExp(`^${wanted.normalize('NFKC')}-[0-9a-f]{6}$`));
    });

  test('a distinct IdP username is kept as it is', async () => {
    const { body } = await exchange(
      await mint({ idClaims: { 'cognito:username': `admiral-${backend}` } }),
    );
    expect(username(body)).toBe(`admiral-${backend}`);
  });

  const now = () => Math.floor(Date.now() / 1000);
  const rejections: [string, () => Promise<{ id_token?: unknown; access_token?: unknown }>][] = [
    ['a wrong audience', () => mint({ idClaims: { aud: 'someone-else' } })],
    [
      'a wrong client_id in the access token',
      () => mint({ accessClaims: { client_id: 'someone-else' } }),
    ],
    [
      'a wrong issuer',
      () =>
        mint({ idClaims: { iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other' } }),
    ],
    ['an expired pair', () => mint({ expiresInSeconds: -60 })],
    [
      'an id token older than idTokenMaxAge',
      () => mint({ idClaims: { auth_time: now() - 7200, iat: now() - 7200 } }),
    ],
    [
      'swapped token_use',
      async () => {
        const t = await mint();
        return { id_token: t.access_token, access_token: t.id_token };
      },
    ],
    [
      'an id token where the access token belongs',
      async () => {
        const t = await mint();
        return { id_token: t.id_token, access_token: t.id_token };
      },
    ],
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
      Array.from({ length: 6 }, () =>
        minter.mint({
          idClaims: {
            sub,
            'cognito:username': 'racer',
            email: 'racer@example.com',
            jti: crypto.randomUUID(),
          },
          accessClaims: { sub },
        }),
      ),
    );
    const answers = await Promise.all(pairs.map((p) => exchange(p)));
    expect(answers.map((a) => a.response.status)).toEqual(answers.map(() => 200));
    expect(new Set(answers.map((a) => (a.body.user as { id: number }).id)).size).toBe(1);
    if (kit!.database) {
      const links = await kit!.database.db
        .select()
        .from(identities)
        .where(eq(identities.subject, sub));
      expect(links).toHaveLength(1);
      expect(
        await kit!.database.db.select().from(users).where(eq(users.username, 'racer')),
      ).toHaveLength(1);
    }
  });
});

describe.each(HTTP_BACKENDS)(
  'social exchange with a generic OIDC provider (ES256) on %s',
  (backend) => {
    let oidc: OidcTokenMinter;
    let kit: KitServer | null;
    let jwks: Awaited<ReturnType<typeof serveJson>>;
    let counter = 0;

    beforeAll(async () => {
      oidc = await createOidcTokenMinter({
        issuer: 'https://oidc.example.test',
        clientId: 'kit-oidc-client',
      });
      jwks = await serveJson(oidc.jwks);
      kit = await startKit(backend, {
        env: {
          AUTH_IDP_PROVIDER: 'oidc',
          AUTH_IDP_ISSUER: oidc.issuer,
          AUTH_IDP_CLIENT_ID: oidc.clientId,
          AUTH_IDP_JWKS_URL: jwks.url,
        },
      });
    });
    afterAll(async () => {
      await kit?.stop();
      await jwks.close();
    });

    const test = (name: string, fn: () => Promise<void>) =>
      it(name, async (context) => {
        skipWithoutPostgres(context, kit);
        await fn();
      });

    const fresh = () => {
      counter += 1;
      return {
        sub: `oidc-${counter}-${backend}`,
        preferred_username: `oidc${counter}`,
        email: `oidc${counter}@example.com`,
      };
    };

    async function exchange(id_token: string, access_token: string) {
      const response = await new HttpClient(kit!.url).post('/auth/social-exchange/', {
        id_token,
        access_token,
      });
      return {
        status: response.status,
        body: (await response.json()) as Record<string, unknown>,
        cookies: setCookies(response),
      };
    }

    test('control: an id token with an opaque access token, or a JWT access token for this client, is exchanged', async () => {
      const a = fresh();
      expect((await exchange(await oidc.idToken(a), 'opaque-access-token')).status).toBe(200);
      const b = fresh();
      expect(
        (
          await exchange(
            await oidc.idToken(b),
            await oidc.accessToken({ sub: b.sub, aud: 'https://api.example.test' }),
          )
        ).status,
      ).toBe(200);
    });

    for (const [what, claims] of [
      ['with a jti (keyed on iss + jti)', {}],
      ['without a jti (keyed on the signed header and payload)', { jti: undefined }],
    ] as const)
      test(`an id token ${what} replayed with its ECDSA signature flipped to (r, n-s) is refused`, async () => {
        const idToken = await oidc.idToken({ ...fresh(), ...claims });
        expect((await exchange(idToken, 'opaque')).status).toBe(200);
        const malleated = malleateEs256(idToken);
        expect(malleated).not.toBe(idToken);
        // The flipped signature is valid: the verifier accepts it as the same token.
        const { importJWK, jwtVerify } = await import('jose');
        await expect(
          jwtVerify(malleated, await importJWK(oidc.jwks.keys[0]!, 'ES256')),
        ).resolves.toBeTruthy();
        const replay = await exchange(malleated, 'opaque');
        expect(replay.status).toBe(401);
        expect(replay.body.code).toBe('authentication_failed');
        expect(replay.cookies).toEqual([]);
      });

    const refusals: [string, () => Promise<[string, string]>][] = [
      [
        'an access token (typ at+jwt, aud = client id) as the id token',
        async () => {
          const user = fresh();
          return [await oidc.accessToken({ ...user, email_verified: true }), 'opaque'];
        },
      ],
      [
        'an id token with typ application/at+jwt',
        async () => [await oidc.idToken(fresh(), { typ: 'application/at+jwt' }), 'opaque'],
      ],
      [
        'an id token with token_use access',
        async () => [await oidc.idToken({ ...fresh(), token_use: 'access' }), 'opaque'],
      ],
      [
        'an id token whose azp is another client',
        async () => [await oidc.idToken({ ...fresh(), azp: 'another-client' }), 'opaque'],
      ],
      [
        'an access token issued to another client',
        async () => {
          const user = fresh();
          return [
            await oidc.idToken(user),
            await oidc.accessToken({
              sub: user.sub,
              aud: 'another-client',
              client_id: 'another-client',
            }),
          ];
        },
      ],
    ];
    for (const [what, tokens] of refusals)
      test(`${what} is refused with 401`, async () => {
        const { status, body, cookies } = await exchange(...(await tokens()));
        expect(status).toBe(401);
        expect(body.code).toBe('authentication_failed');
        expect(cookies).toEqual([]);
      });
  },
);

describe('the Cognito journey through the local stand-in IdP, over HTTP', () => {
  let idp: LocalIdp;
  let kit: KitServer | null;

  beforeAll(async () => {
    idp = await startLocalIdp({ redirectUris: ['http://localhost:3000/callback'] });
    kit = await startKit('pglite', {
      env: {
        COGNITO_USER_POOL_ID: idp.userPoolId,
        COGNITO_CLIENT_ID: idp.clientId,
        COGNITO_AUTHORITY: idp.url,
        AUTH_IDP_JWKS_URL: idp.jwksUrl,
      },
    });
  });
  afterAll(async () => {
    await kit?.stop();
    await idp.close();
  });

  it('authorize form, PKCE code exchange, then social exchange signs the demo user in', async () => {
    const { verifier, challenge } = pkcePair();
    const form = {
      response_type: 'code',
      client_id: idp.clientId,
      redirect_uri: 'http://localhost:3000/callback',
      state: 's',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      scope: 'openid email profile',
      username: 'demo',
      password: 'demo-password-123',
    };
    const signedIn = await fetch(`${idp.url}/oauth2/authorize`, {
      method: 'POST',
      body: new URLSearchParams(form),
      redirect: 'manual',
    });
    expect(signedIn.status).toBe(302);
    const code = new URL(signedIn.headers.get('location')!).searchParams.get('code')!;
    const tokenResponse = await fetch(`${idp.url}/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: form.redirect_uri,
        client_id: idp.clientId,
        code_verifier: verifier,
      }),
    });
    const tokens = (await tokenResponse.json()) as Record<string, unknown>;
    const exchanged = await new HttpClient(kit!.url).post('/auth/social-exchange/', tokens);
    expect(exchanged.status).toBe(200);
    expect(((await exchanged.json()) as { user: { username: string } }).user.username).toBe('demo');
  });
});
