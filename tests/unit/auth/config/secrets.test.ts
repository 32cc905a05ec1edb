import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveAuthConfig } from '@/auth/config/resolve';
import { generateSecret, generateSigningKey } from '@/auth/config/secrets';
import { privateJwk } from '../tokens/fixtures';
import { STRONG_HS256_KEY, STRONG_SECRET, devEnv, makeDataDir } from './helpers';

let dataDir: string;
let remove: () => void;

beforeEach(() => {
  ({ dataDir, remove } = makeDataDir());
});

afterEach(() => remove());

const secretsFile = () => join(dataDir, 'secrets.json');

describe('development secrets', () => {
  it('generates a secret and an ES256 key when none is set', async () => {
    const config = await resolveAuthConfig({}, devEnv(dataDir));
    expect([config.secret.length >= 32, config.signingKeys[0]?.alg]).toEqual([true, 'ES256']);
  });

  it('writes them to secrets.json under the data directory', async () => {
    await resolveAuthConfig({}, devEnv(dataDir));
    expect(existsSync(secretsFile())).toBe(true);
  });

  it('writes the secrets file readable by its owner only', async () => {
    await resolveAuthConfig({}, devEnv(dataDir));
    expect(statSync(secretsFile()).mode & 0o777).toBe(0o600);
  });

  it('reuses the stored secret on the next resolve', async () => {
    const first = await resolveAuthConfig({}, devEnv(dataDir));
    const second = await resolveAuthConfig({}, devEnv(dataDir));
    expect(second.secret).toBe(first.secret);
  });

  it('reuses the stored signing key on the next resolve', async () => {
    const first = await resolveAuthConfig({}, devEnv(dataDir));
    const second = await resolveAuthConfig({}, devEnv(dataDir));
    expect(second.signingKeys).toEqual(first.signingKeys);
  });

  it('does not rewrite an unchanged secrets file', async () => {
    await resolveAuthConfig({}, devEnv(dataDir));
    const before = readFileSync(secretsFile(), 'utf8');
    await resolveAuthConfig({}, devEnv(dataDir));
    expect(readFileSync(secretsFile(), 'utf8')).toBe(before);
  });

  it('generates a key per algorithm and keeps the secret when the algorithm changes', async () => {
    const es = await resolveAuthConfig({}, devEnv(dataDir));
    const ed = await resolveAuthConfig({}, devEnv(dataDir, { algorithm: 'EdDSA' }));
    expect([ed.secret, ed.signingKeys[0]?.alg]).toEqual([es.secret, 'EdDSA']);
  });

  it('keeps the first algorithm key after another algorithm was added', async () => {
    const es = await resolveAuthConfig({}, devEnv(dataDir));
    await resolveAuthConfig({}, devEnv(dataDir, { algorithm: 'RS256' }));
    expect((await resolveAuthConfig({}, devEnv(dataDir))).signingKeys).toEqual(es.signingKeys);
  });

  it('uses AUTH_SECRET from the environment over the stored one', async () => {
    await resolveAuthConfig({}, devEnv(dataDir));
    expect((await resolveAuthConfig({}, devEnv(dataDir, { secret: STRONG_SECRET }))).secret).toBe(
      STRONG_SECRET,
    );
  });

  it('generates only the key when AUTH_SECRET is set', async () => {
    const config = await resolveAuthConfig({}, devEnv(dataDir, { secret: STRONG_SECRET }));
    expect([config.secret, config.signingKeys.length]).toEqual([STRONG_SECRET, 1]);
  });

  it('writes nothing when the environment gives the secret and the keys', async () => {
    const key = await privateJwk('ES256', 'given');
    await resolveAuthConfig(
      {},
      devEnv(dataDir, { secret: STRONG_SECRET, signingKeys: JSON.stringify({ keys: [key] }) }),
    );
    expect(existsSync(secretsFile())).toBe(false);
  });

  it('writes nothing for HS256 with AUTH_SECRET and AUTH_HS256_KEY set', async () => {
    await resolveAuthConfig(
      {},
      devEnv(dataDir, { secret: STRONG_SECRET, hs256Key: STRONG_HS256_KEY, algorithm: 'HS256' }),
    );
    expect(existsSync(secretsFile())).toBe(false);
  });

  it('generates a secret and a separate HS256 key, but no signing key, for HS256', async () => {
    const config = await resolveAuthConfig({}, devEnv(dataDir, { algorithm: 'HS256' }));
    expect(config.secret.length).toBeGreaterThanOrEqual(32);
    expect(config.hs256Key?.length).toBeGreaterThanOrEqual(32);
    expect(config.hs256Key).not.toBe(config.secret);
    expect(config.signingKeys).toEqual([]);
  });

  it('keeps the generated HS256 key in secrets.json and reuses it on the next resolve', async () => {
    const first = await resolveAuthConfig({}, devEnv(dataDir, { algorithm: 'HS256' }));
    const stored = JSON.parse(readFileSync(secretsFile(), 'utf8')) as { hs256Key?: string };
    expect(stored.hs256Key).toBe(first.hs256Key);
    const again = await resolveAuthConfig({}, devEnv(dataDir, { algorithm: 'HS256' }));
    expect(again.hs256Key).toBe(first.hs256Key);
  });

  it('generates only the HS256 key when AUTH_SECRET is set', async () => {
    const config = await resolveAuthConfig(
      {},
      devEnv(dataDir, { secret: STRONG_SECRET, algorithm: 'HS256' }),
    );
    expect(config.secret).toBe(STRONG_SECRET);
    expect(config.hs256Key).not.toBe(STRONG_SECRET);
  });

  it('has no HS256 key for the other algorithms', async () => {
    expect((await resolveAuthConfig({}, devEnv(dataDir))).hs256Key).toBeNull();
  });

  it('refuses a damaged secrets file, naming it, instead of silently replacing it', async () => {
    writeFileSync(secretsFile(), '{ not json');
    await expect(resolveAuthConfig({}, devEnv(dataDir))).rejects.toThrow(secretsFile());
    expect(readFileSync(secretsFile(), 'utf8')).toBe('{ not json');
  });

  it('generates a secret when the secrets file holds none', async () => {
    writeFileSync(secretsFile(), '{}');
    const config = await resolveAuthConfig({}, devEnv(dataDir));
    expect(config.secret.length).toBeGreaterThanOrEqual(32);
  });

  it('creates the data directory when it does not exist', async () => {
    const nested = join(dataDir, 'a', 'b');
    await resolveAuthConfig({}, devEnv(nested));
    expect(existsSync(join(nested, 'secrets.json'))).toBe(true);
  });
});

describe('generateSigningKey', () => {
  it.each(['ES256', 'RS256', 'EdDSA'] as const)(
    'makes a private %s JWK with kid, alg and use',
    async (algorithm) => {
      const jwk = await generateSigningKey(algorithm);
      expect([typeof jwk.d, typeof jwk.kid, jwk.alg, jwk.use]).toEqual([
        'string',
        'string',
        algorithm,
        'sig',
      ]);
    },
  );
});

describe('generateSecret', () => {
  it('makes 256 random bits, base64url encoded', () => {
    expect(generateSecret()).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('differs on every call', () => {
    expect(generateSecret()).not.toBe(generateSecret());
  });
});
