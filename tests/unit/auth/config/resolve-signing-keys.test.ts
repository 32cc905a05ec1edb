import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthEnv } from '@/auth/config/env';
import { resolveAuthConfig } from '@/auth/config/resolve';
import type { AuthConfig } from '@/auth/config/types';
import { privateJwk } from '../tokens/fixtures';
import {
  STRONG_HS256_KEY,
  STRONG_SECRET,
  expectConfigError,
  makeDataDir,
  productionEnv,
} from './helpers';

let dataDir: string;
let remove: () => void;
let esKey: JWK;
let esKey2: JWK;
let rsKey: JWK;

beforeAll(async () => {
  ({ dataDir, remove } = makeDataDir());
  [esKey, esKey2, rsKey] = await Promise.all([
    privateJwk('ES256', 'es-1'),
    privateJwk('ES256', 'es-2'),
    privateJwk('RS256', 'rs-1'),
  ]);
});

afterAll(() => remove());

// Production, so that nothing is ever generated: the keys come from the environment or not at all.
function resolve(signingKeys: string, env: Partial<AuthEnv> = {}): Promise<AuthConfig> {
  return resolveAuthConfig(
    {},
    productionEnv(dataDir, { secret: STRONG_SECRET, signingKeys, ...env }),
  );
}

const set = (...keys: unknown[]) => JSON.stringify({ keys });

describe('AUTH_SIGNING_KEYS', () => {
  it('refuses a first key whose alg differs from AUTH_ALGORITHM, naming AUTH_SIGNING_KEYS', async () => {
    await expectConfigError(() => resolve(set(rsKey), { algorithm: 'ES256' }), 'AUTH_SIGNING_KEYS');
  });

  it('refuses a first key whose alg differs from the algorithm set in code', async () => {
    await expectConfigError(
      () =>
        resolveAuthConfig(
          { algorithm: 'ES256' },
          productionEnv(dataDir, { secret: STRONG_SECRET, signingKeys: set(rsKey) }),
        ),
      'AUTH_SIGNING_KEYS',
    );
  });

  it('takes the algorithm from the first key when AUTH_ALGORITHM is unset', async () => {
    expect((await resolve(set(rsKey))).algorithm).toBe('RS256');
  });

  it('keeps every key in order: the first signs, the rest verify', async () => {
    expect((await resolve(set(esKey, esKey2))).signingKeys.map((key) => key.kid)).toEqual([
      'es-1',
      'es-2',
    ]);
  });

  it('accepts a retired key of another algorithm after the signing key', async () => {
    expect((await resolve(set(esKey, rsKey), { algorithm: 'ES256' })).signingKeys).toHaveLength(2);
  });

  it('accepts a bare JSON array of keys', async () => {
    expect((await resolve(JSON.stringify([esKey]))).signingKeys.map((key) => key.kid)).toEqual([
      'es-1',
    ]);
  });

  it('refuses text that is not JSON, naming the variable and how to generate keys', async () => {
    await expectConfigError(() => resolve('{not json'), 'AUTH_SIGNING_KEYS', 'generate-keys');
  });

  it('refuses an empty key set, naming the variable', async () => {
    await expectConfigError(() => resolve(set()), 'AUTH_SIGNING_KEYS');
  });

  it('refuses a public key (no "d"), naming the variable', async () => {
    const { d: _d, ...publicOnly } = esKey;
    await expectConfigError(() => resolve(set(publicOnly)), 'AUTH_SIGNING_KEYS');
  });

  it('refuses a key without kid, naming the variable', async () => {
    const { kid: _kid, ...noKid } = esKey;
    await expectConfigError(() => resolve(set(noKid)), 'AUTH_SIGNING_KEYS');
  });

  it.each([undefined, 'HS256', 'none', 'ES512'])(
    'refuses a key whose alg is %j, naming the variable',
    async (alg) => {
      await expectConfigError(() => resolve(set({ ...esKey, alg })), 'AUTH_SIGNING_KEYS');
    },
  );

  it('refuses an unknown AUTH_ALGORITHM, naming it', async () => {
    await expectConfigError(() => resolve(set(esKey), { algorithm: 'HS512' }), 'AUTH_ALGORITHM');
  });

  it('drops the signing keys when the algorithm is HS256', async () => {
    expect(
      (await resolve(set(esKey), { algorithm: 'HS256', hs256Key: STRONG_HS256_KEY })).signingKeys,
    ).toEqual([]);
  });
});
