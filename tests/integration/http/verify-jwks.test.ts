import { createPublicKey, type JsonWebKey } from 'node:crypto';
import {
  createRemoteJWKSet,
  decodeJwt,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  SignJWT,
  type JWK,
} from 'jose';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { users } from '@/db/schema';
import { HttpClient } from '../../support/http-client';
import { HTTP_BACKENDS, type KitServer } from '../../support/kit-servers';
import { testSecrets } from '../../support/keys';
import { expectError } from '../../support/assertions';
import { refreshJwt } from '../../support/cookies';
import { b64json, privateSigningKey, signWithKitKey } from '../../support/forged-tokens';
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
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

describe.each(HTTP_BACKENDS)('verify and JWKS over next start on %s', (backend) => {
  let kit: KitServer | null = null;
  let hs256: KitServer | null = null;
  // A signed-in session shared by the read-only cases.
  let client: HttpClient;
  let session: TokenBody;

  beforeAll(async () => {
    [kit, hs256] = await Promise.all([
      startWarmKit(backend, {
        users: ['verifier', 'rotated', 'logged-off', 'remote', 'deleted'].map((username) => ({
          username,
          password: PASSWORD,
        })),
      }),
      startWarmKit(backend, {
        env: await testSecrets('HS256'),
        users: [{ username: 'hs-user', password: PASSWORD }],
      }),
    ]);
    if (kit) {
      client = new HttpClient(kit.url);
      session = (await signIn(client, 'verifier', PASSWORD)).body;
    }
  });
  afterAll(async () => {
    await Promise.all([kit?.stop(), hs256?.stop()]);
  });

  const verify = (token: string) => new HttpClient(kit!.url).post(PATHS.verify, { token });

  /** Valid access-token claims for the signed-in user, fresh. */
  function accessClaims(overrides: Record<string, unknown> = {}) {
    const now = Math.floor(Date.now() / 1000);
    const { user_id, sid, auth_time, amr } = decodeJwt(session.access_token);
    return {
      token_type: 'access',
      user_id,
      sub: String(user_id),
      sid,
      auth_time,
      amr,
      jti: `forged-${now}-${Math.random()}`,
      iat: now,
      exp: now + 120,
      ...overrides,
    };
  }

  function publicJwk(): JWK {
    const { d: _d, ...rest } = privateSigningKey(kit!);
    return rest;
  }

  describe('POST /auth/verify/', () => {
    it('answers 200 {} for an access token', async (context) => {
      skipWithoutPostgres(context, kit);
      const response = await verify(session.access_token);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({});
    });

    it('answers 200 {} for a live refresh token', async (context) => {
      skipWithoutPostgres(context, kit);
      const response = await verify(refreshJwt(client));
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({});
    });

    it("accepts a well-formed token signed with the kit's own key (the control for the forged cases below)", async (context) => {
      skipWithoutPostgres(context, kit);
      expect((await verify(await signWithKitKey(kit, accessClaims()))).status).toBe(200);
    });

    it('answers 401 for a refresh token that was rotated (blacklisted)', async (context) => {
      skipWithoutPostgres(context, kit);
      const own = new HttpClient(kit.url);
      const { body } = await signIn(own, 'rotated', PASSWORD);
      const rotated = refreshJwt(own);
      expect((await refresh(own, body.CSRF_token)).status).toBe(200);
      await expectError(await verify(rotated), 401, 'token_not_valid');
      expect((await verify(refreshJwt(own))).status).toBe(200);
    });

    it('answers 401 for a refresh token of a logged-off session', async (context) => {
      skipWithoutPostgres(context, kit);
      const own = new HttpClient(kit.url);
      const { body } = await signIn(own, 'logged-off', PASSWORD);
      const token = refreshJwt(own);
      const kept = cloneClient(own);
      expect((await own.post(PATHS.logoff, { CSRF_token: body.CSRF_token })).status).toBe(200);
      await expectError(await verify(token), 401, 'token_not_valid');
      expect(kept.jar.size).toBe(4); // refresh, CSRF, session and device cookies
    });

    it('answers 401 for an access token whose payload was tampered with', async (context) => {
      skipWithoutPostgres(context, kit);
      const [header, , signature] = session.access_token.split('.');
      const claims = decodeJwt(session.access_token);
      const tampered = `${header}.${b64json({ ...claims, is_staff: true, roles: ['admin'] })}.${signature}`;
      await expectError(await verify(tampered), 401, 'token_not_valid');
    });

    it('answers 401 for an access token whose signature was tampered with', async (context) => {
      skipWithoutPostgres(context, kit);
      const [header, payload, signature] = session.access_token.split('.');
      const bytes = Buffer.from(signature!, 'base64url');
      bytes[0]! ^= 0x01;
      await expectError(
        await verify(`${header}.${payload}.${bytes.toString('base64url')}`),
        401,
        'token_not_valid',
      );
    });

    it('answers 401 for alg: none', async (context) => {
      skipWithoutPostgres(context, kit);
      const { kid } = privateSigningKey(kit);
      const token = `${b64json({ alg: 'none', typ: 'at+jwt', kid })}.${b64json(accessClaims())}.`;
      await expectError(await verify(token), 401, 'token_not_valid');
    });

    it.for([
      ['the public JWK as JSON', 'jwk-json'],
      ['the public key as PEM', 'pem'],
      ['the public key as DER', 'der'],
    ])(
      'answers 401 for an HS256 token signed with %s (algorithm confusion)',
      async ([, form], context) => {
        skipWithoutPostgres(context, kit);
        const jwk = publicJwk();
        const keyObject = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
        const secret =
          form === 'jwk-json'
            ? new TextEncoder().encode(JSON.stringify(jwk))
            : form === 'pem'
              ? new TextEncoder().encode(
                  keyObject.export({ type: 'spki', format: 'pem' }) as string,
                )
              : new Uint8Array(keyObject.export({ type: 'spki', format: 'der' }));
        const token = await new SignJWT(accessClaims())
          .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: jwk.kid })
          .sign(secret);
        await expectError(await verify(token), 401, 'token_not_valid');
      },
    );

    it('answers 401 for a token with an unknown kid, even signed with the real key', async (context) => {
      skipWithoutPostgres(context, kit);
      await expectError(
        await verify(await signWithKitKey(kit, accessClaims(), { kid: 'no-such-key' })),
        401,
        'token_not_valid',
      );
    });

    it('answers 401 for a token signed by a foreign key under the real kid', async (context) => {
      skipWithoutPostgres(context, kit);
      const { privateKey } = await generateKeyPair('ES256');
      const token = await new SignJWT(accessClaims())
        .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: privateSigningKey(kit).kid })
        .sign(privateKey);
      await expectError(await verify(token), 401, 'token_not_valid');
    });

    it('answers 401 for a token that brings its own key in a jwk header', async (context) => {
      skipWithoutPostgres(context, kit);
      const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
      const jwk = await exportJWK(publicKey);
      const token = await new SignJWT(accessClaims())
        .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', jwk })
        .sign(privateKey);
      await expectError(await verify(token), 401, 'token_not_valid');
    });

    it.for([
      ['jwk', { jwk: {} }],
      ['jku', { jku: 'https://evil.example/jwks.json' }],
      ['x5u', { x5u: 'https://evil.example/cert.pem' }],
    ])(
      'answers 401 for a token with a %s header, even signed with the real key',
      async ([name, extra], context) => {
        skipWithoutPostgres(context, kit);
        const header = name === 'jwk' ? { jwk: publicJwk() } : (extra as Record<string, string>);
        await expectError(
          await verify(await signWithKitKey(kit, accessClaims(), header)),
          401,
          'token_not_valid',
        );
      },
    );

    it("answers 401 for a refresh token signed with the kit's key whose row was never stored or was flushed", async (context) => {
      skipWithoutPostgres(context, kit);
      const live = decodeJwt(refreshJwt(client));
      const now = Math.floor(Date.now() / 1000);
      const claims = { ...live, jti: `flushed-${now}-${Math.random()}`, iat: now, exp: now + 600 };
      // The same claims under the live token's jti verify: only the missing row is refused.
      expect(
        (await verify(await signWithKitKey(kit, { ...claims, jti: live.jti }, { typ: 'JWT' })))
          .status,
      ).toBe(200);
      await expectError(
        await verify(await signWithKitKey(kit, claims, { typ: 'JWT' })),
        401,
        'token_not_valid',
      );
    });

    it('answers 401 for an expired token signed with the real key', async (context) => {
      skipWithoutPostgres(context, kit);
      const now = Math.floor(Date.now() / 1000);
      await expectError(
        await verify(await signWithKitKey(kit, accessClaims({ iat: now - 600, exp: now - 300 }))),
        401,
        'token_not_valid',
      );
    });
  });

  describe('GET /.well-known/jwks.json', () => {
    it('publishes public keys only, each with kid, alg and use sig', async (context) => {
      skipWithoutPostgres(context, kit);
      const response = await fetch(`${kit.url}${PATHS.jwks}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/(jwk-set\+)?json/);
      const { keys } = (await response.json()) as { keys: JWK[] };
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) {
        for (const member of PRIVATE_MEMBERS)
          expect(key, `no private member ${member}`).not.toHaveProperty(member);
        expect(key).toMatchObject({
          kid: expect.any(String),
          alg: 'ES256',
          use: 'sig',
          kty: 'EC',
          crv: 'P-256',
        });
      }
      expect(keys.map((k) => k.kid)).toContain(privateSigningKey(kit).kid);
    });

    it('lets another service verify access tokens with createRemoteJWKSet', async (context) => {
      skipWithoutPostgres(context, kit);
      const { body } = await signIn(new HttpClient(kit.url), 'remote', PASSWORD);
      const jwks = createRemoteJWKSet(new URL(`${kit.url}${PATHS.jwks}`));
      const { payload, protectedHeader } = await jwtVerify(body.access_token, jwks, {
        typ: 'at+jwt',
        algorithms: ['ES256'],
      });
      expect(payload.sub).toBe(String(payload.user_id));
      expect(protectedHeader.kid).toBe(privateSigningKey(kit).kid);
    });

    it('gives another service nothing to verify a foreign token with', async (context) => {
      skipWithoutPostgres(context, kit);
      const { privateKey } = await generateKeyPair('ES256');
      const foreign = await new SignJWT(accessClaims())
        .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: privateSigningKey(kit).kid })
        .sign(privateKey);
      const jwks = createRemoteJWKSet(new URL(`${kit.url}${PATHS.jwks}`));
      await expect(jwtVerify(foreign, jwks, { algorithms: ['ES256'] })).rejects.toThrow();
    });

    it('signs HS256 tokens with AUTH_HS256_KEY, and refuses one signed with AUTH_SECRET', async (context) => {
      skipWithoutPostgres(context, hs256);
      const own = new HttpClient(hs256.url);
      const { body } = await signIn(own, 'hs-user', PASSWORD);
      const claims = decodeJwt(body.access_token);
      const signWith = (key: string) =>
        new SignJWT({ ...claims, jti: `hs-${Math.random()}` })
          .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
          .sign(new TextEncoder().encode(key));
      const verifyHs = (token: string) => new HttpClient(hs256!.url).post(PATHS.verify, { token });
      expect((await verifyHs(body.access_token)).status).toBe(200);
      expect((await verifyHs(await signWith(hs256.env.AUTH_HS256_KEY!))).status).toBe(200);
      // AUTH_SECRET is the root of the cookie keys only: whoever holds it cannot mint tokens, and
      // a service given AUTH_HS256_KEY to verify tokens holds nothing that signs cookies.
      await expectError(
        await verifyHs(await signWith(hs256.env.AUTH_SECRET!)),
        401,
        'token_not_valid',
      );
    });

    it('publishes an empty key set with AUTH_ALGORITHM=HS256', async (context) => {
      skipWithoutPostgres(context, hs256);
      const response = await fetch(`${hs256.url}${PATHS.jwks}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ keys: [] });
    });
  });

  describe('POST /auth/verify/ after the rows are gone', () => {
    it("answers 401 for a refresh token whose user was deleted (and that user's access token stays a valid JWT)", async (context) => {
      skipWithoutPostgres(context, kit);
      const own = new HttpClient(kit.url);
      await signIn(own, 'deleted', PASSWORD);
      const token = refreshJwt(own);
      expect((await verify(token)).status).toBe(200);
      // PGlite is held by the server: delete offline, then start it again on the same data.
      const deleteUser = (db: Database) =>
        db
          .delete(users)
          .where(eq(users.username, 'deleted'))
          .then(() => undefined);
      if (kit.database) await deleteUser(kit.database.db);
      else await kit.restart(deleteUser);
      await expectError(await verify(token), 401, 'token_not_valid');
    });
  });
});
