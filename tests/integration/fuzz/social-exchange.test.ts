import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCognitoTokenMinter, type MintedTokens } from '../../support/cognito-tokens';
import { serveJson } from '../../support/json-server';
import type { KitServer } from '../../support/kit-servers';
import { anyString } from './support/arbitraries';
import { checkReply, ENDPOINTS, violation } from './support/contract';
import { jsonBytes, type FuzzRequest } from './support/http';
import {
  applyTokenRecipe,
  respelling,
  sameTokenBytes,
  signingMaterial,
  tokenRecipe,
  type Base,
  type GenuineTokens,
  type SigningMaterial,
} from './support/jwt-mutations';
import { expectCleanLog, fuzzOptions, fuzzTimeout, sendTo, startFuzzKit } from './support/kit';

/**
 * POST /auth/social-exchange/ with an IdP configured (a test Cognito pool whose JWKS a local
 * server publishes): mutated Cognito tokens, respelled replays and fuzzed claims in tokens the
 * pool really signed. The kit must never answer 5xx, and only a genuine, fresh pair may yield 200.
 */

const POOL = 'us-east-1_KitFuzz';
const CLIENT = 'kit-fuzz-client';
const endpoint = ENDPOINTS.socialExchange;

describe('social exchange with an IdP configured (pglite)', () => {
  const minter = createCognitoTokenMinter({ userPoolId: POOL, clientId: CLIENT });
  let jwks: Awaited<ReturnType<typeof serveJson>>;
  let kit: KitServer | null = null;
  let keys: SigningMaterial;
  let counter = 0;

  /** A pair for a new Cognito user (fresh sub, username and email), with claim overrides. */
  function mint(
    idClaims: Record<string, unknown> = {},
    accessClaims: Record<string, unknown> = {},
  ): Promise<MintedTokens> {
    counter += 1;
    const sub = `fuzz-sub-${counter}-${Date.now()}`;
    return minter.mint({
      idClaims: {
        sub,
        'cognito:username': `fz${counter}`,
        email: `fz${counter}@example.com`,
        ...idClaims,
      },
      accessClaims: { sub, username: `fz${counter}`, ...accessClaims },
    });
  }

  function exchange(server: KitServer, body: unknown) {
    const request: FuzzRequest = {
      method: 'POST',
      path: endpoint.path,
      headers: { 'content-type': 'application/json' },
      body: jsonBytes(body),
    };
    return sendTo(server, request).then((reply) => ({ request, reply }));
  }

  beforeAll(async () => {
    jwks = await serveJson(minter.jwks);
    kit = await startFuzzKit('pglite', {
      COGNITO_USER_POOL_ID: POOL,
      COGNITO_CLIENT_ID: CLIENT,
      AUTH_IDP_JWKS_URL: jwks.url,
    });
    keys = signingMaterial(kit!.env);
  });
  afterAll(async () => {
    await kit?.stop();
    await jwks?.close();
  });

  it('control: a fresh genuine pair is exchanged once', async () => {
    const tokens = await mint();
    const first = await exchange(kit!, {
      id_token: tokens.id_token,
      access_token: tokens.access_token,
    });
    checkReply(endpoint, first.request, first.reply);
    expect(first.reply.status).toBe(200);
    const again = await exchange(kit!, {
      id_token: tokens.id_token,
      access_token: tokens.access_token,
    });
    expect(again.reply.status).toBe(401);
  });

  /** Recipes read `refresh` as the id token, `access` as the access token, `session` as the other pair's id token. */
  const cognitoBases = fc.constantFrom<Base>('access', 'refresh', 'refresh', 'session');

  it(
    'mutated id and access tokens never yield 200 (only the fresh genuine pair may)',
    async () => {
      const server = kit!;
      const target = fc.constantFrom('id' as const, 'access' as const, 'both' as const);
      await fc.assert(
        fc.asyncProperty(
          target,
          tokenRecipe(cognitoBases),
          tokenRecipe(cognitoBases),
          async (which, idRecipe, accessRecipe) => {
            const [pair, other] = await Promise.all([mint(), mint()]);
            const genuine: GenuineTokens = {
              access: pair.access_token,
              refresh: pair.id_token,
              session: other.id_token,
            };
            const idToken =
              which === 'access' ? pair.id_token : applyTokenRecipe(idRecipe, genuine, keys);
            const accessToken =
              which === 'id' ? pair.access_token : applyTokenRecipe(accessRecipe, genuine, keys);
            const { request, reply } = await exchange(server, {
              id_token: idToken,
              access_token: accessToken,
              refresh_token: 'ignored',
              token_type: 'Bearer',
              expires_in: 300,
            });
            checkReply(endpoint, request, reply);
            const genuinePair =
              sameTokenBytes(idToken, pair.id_token) &&
              sameTokenBytes(accessToken, pair.access_token);
            if (reply.status === 200 && !genuinePair)
              violation('social exchange accepted a mutated IdP token', request, reply);
          },
        ),
        fuzzOptions(),
      );
    },
    fuzzTimeout(150),
  );

  it(
    'an id token is accepted once, however its base64url is spelled',
    async () => {
      const server = kit!;
      // Only the signature can be respelled: the signed input is the header and payload as sent.
      await fc.assert(
        fc.asyncProperty(
          fc.record({ variant: respelling, n: fc.nat() }),
          async ({ variant, n }) => {
            const segment = 2;
            const pair = await mint();
            const first = await exchange(server, {
              id_token: pair.id_token,
              access_token: pair.access_token,
            });
            if (first.reply.status !== 200)
              violation('a fresh genuine pair was refused', first.request, first.reply);
            const genuine: GenuineTokens = {
              access: pair.access_token,
              refresh: pair.id_token,
              session: pair.id_token,
            };
            const respelled = applyTokenRecipe(
              { kind: 'encoding', base: 'refresh', segment, variant, n },
              genuine,
              keys,
            );
            const { request, reply } = await exchange(server, {
              id_token: respelled,
              access_token: pair.access_token,
            });
            checkReply(endpoint, request, reply);
            if (reply.status === 200)
              violation('a respelled id token was accepted a second time (replay)', request, reply);
          },
        ),
        // Two exchanges per case: a tenth of FUZZ_RUNS, never fewer than 30.
        { ...fuzzOptions(), numRuns: Math.max(30, Math.ceil(fuzzOptions().numRuns! / 10)) },
      );
    },
    fuzzTimeout(60),
  );

  const claimValue = fc.oneof(
    { weight: 3, arbitrary: anyString(200) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2, stringUnit: 'binary' }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        undefined,
        null,
        true,
        false,
        'true',
        'false',
        0,
        -1,
        1e12,
        '',
        '\u0000',
        'a\u0000b',
        '\ud800',
        'x'.repeat(300),
      ),
    },
  );
  const ID_CLAIMS = [
    'sub',
    'email',
    'email_verified',
    'cognito:username',
    'preferred_username',
    'given_name',
    'family_name',
    'auth_time',
    'iat',
    'exp',
    'token_use',
    'aud',
    'iss',
  ];
  const ACCESS_CLAIMS = ['sub', 'username', 'client_id', 'token_use', 'scope', 'exp', 'iss'];

  it(
    'fuzzed claims in pool-signed tokens never cause a 5xx',
    async () => {
      const server = kit!;
      const claims = (names: string[]) =>
        fc.dictionary(fc.constantFrom(...names), claimValue, { maxKeys: 4 });
      await fc.assert(
        fc.asyncProperty(
          claims(ID_CLAIMS),
          claims(ACCESS_CLAIMS),
          async (idClaims, accessClaims) => {
            const pair = await mint(idClaims, accessClaims);
            const { request, reply } = await exchange(server, {
              id_token: pair.id_token,
              access_token: pair.access_token,
            });
            checkReply(endpoint, request, reply);
            if (reply.status === 200) {
              if (pair.idClaims.sub !== pair.accessClaims.sub)
                violation('tokens with different subs were exchanged', request, reply);
              const verified = pair.idClaims.email_verified;
              if (verified === false || verified === 'false')
                violation('an unverified email was exchanged', request, reply);
              // Only exactly true / "true" is verified: any other address stays off the user.
              const user = (JSON.parse(reply.text) as { user?: { email?: unknown } }).user;
              if (verified !== true && verified !== 'true' && user?.email !== '')
                violation("an unverified IdP address became the user's address", request, reply);
            }
          },
        ),
        // Counterexamples found so far, replayed first on every run: NUL in a name, times outside Date's range.
        {
          ...fuzzOptions(),
          examples: [
            [{ given_name: 'a\u0000b' }, {}],
            [{}, { exp: -8640000000000.001 }],
            [{ exp: 1e300 }, {}],
          ],
        },
      );
    },
    fuzzTimeout(80),
  );

  it('the server log shows no uncaught error and no token', () => {
    expectCleanLog(kit!);
  });
});
