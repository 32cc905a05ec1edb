import { SignJWT } from 'jose';
import { signSessionToken } from '@/auth/tokens/sign';
import { verifySessionToken } from '@/auth/tokens/verify';
import { describe, expect, it } from 'vitest';
import { loadKeyring, toPublicJwk } from '@/auth/tokens/keys';
import { signAccessToken } from '@/auth/tokens/sign';
import { verifyAccessToken } from '@/auth/tokens/verify';
import {
  NOW_SECONDS,
  PLAIN,
  PLAIN_SIGNING,
  HS256_KEY,
  SECRET,
  decodeJwt,
  privateJwk,
  type AsymmetricAlgorithm,
  SESSION,
} from './fixtures';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const ASYMMETRIC: AsymmetricAlgorithm[] = ['ES256', 'RS256', 'EdDSA'];

function publishedKeys(jwksJson: string): Record<string, unknown>[] {
  return (JSON.parse(jwksJson) as { keys: Record<string, unknown>[] }).keys;
}

function signNow(keyring: Awaited<ReturnType<typeof loadKeyring>>) {
  return signAccessToken(keyring, PLAIN_SIGNING, {
    userId: 1,
    session: SESSION,
    customClaims: {},
    nowSeconds: Math.floor(Date.now() / 1000),
  });
}

describe.each(ASYMMETRIC)('loadKeyring with %s', (algorithm) => {
  it('signs with the configured key and algorithm', async () => {
    const jwk = await privateJwk(algorithm, 'key-1');
    const keyring = await loadKeyring({ algorithm, secret: SECRET, signingKeys: [jwk] });
    expect(keyring.signing.kid).toBe('key-1');
    expect(keyring.signing.alg).toBe(algorithm);
    expect(keyring.algorithms).toEqual([algorithm]);
  });

  it('puts the kid and the algorithm in the header of the tokens it signs', async () => {
    const keyring = await loadKeyring({
      algorithm,
      secret: SECRET,
      signingKeys: [await privateJwk(algorithm, 'key-1')],
    });
    const { token } = await signAccessToken(keyring, PLAIN_SIGNING, {
      userId: 1,
      session: SESSION,
      customClaims: {},
      nowSeconds: NOW_SECONDS,
    });
    expect(decodeJwt(token).header).toMatchObject({ alg: algorithm, kid: 'key-1' });
  });

  it('verifies the tokens it signs', async () => {
    const keyring = await loadKeyring({
      algorithm,
      secret: SECRET,
      signingKeys: [await privateJwk(algorithm, 'key-1')],
    });
    const { token } = await signNow(keyring);
    expect((await verifyAccessToken(keyring, PLAIN, token)).ok).toBe(true);
  });

  it('publishes the public key with kid, alg and use "sig"', async () => {
    const jwk = await privateJwk(algorithm, 'key-1');
    const keyring = await loadKeyring({ algorithm, secret: SECRET, signingKeys: [jwk] });
    const [published] = publishedKeys(keyring.jwksJson);
    expect(published).toMatchObject({ kty: jwk.kty, kid: 'key-1', alg: algorithm, use: 'sig' });
  });

  it('publishes no private member of the key', async () => {
    const keyring = await loadKeyring({
      algorithm,
      secret: SECRET,
      signingKeys: [await privateJwk(algorithm, 'key-1')],
    });
    const [published] = publishedKeys(keyring.jwksJson);
    for (const member of PRIVATE_MEMBERS) expect(published).not.toHaveProperty(member);
  });
});

describe('toPublicJwk', () => {
  it('keeps only the public members of an EC key plus kid, alg and use', async () => {
    const jwk = await privateJwk('ES256', 'ec');
    expect(Object.keys(toPublicJwk(jwk)).sort()).toEqual([
      'alg',
      'crv',
      'kid',
      'kty',
      'use',
      'x',
      'y',
    ]);
  });

  it('keeps only the public members of an RSA key plus kid, alg and use', async () => {
    const jwk = await privateJwk('RS256', 'rsa');
    expect(Object.keys(toPublicJwk(jwk)).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
  });

  it('keeps only the public members of an Ed25519 key plus kid, alg and use', async () => {
    const jwk = await privateJwk('EdDSA', 'okp');
    expect(Object.keys(toPublicJwk(jwk)).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x']);
  });

  it('drops other members such as key_ops and ext', async () => {
    const jwk = { ...(await privateJwk('ES256', 'ec')), key_ops: ['sign'], ext: true };
    expect(toPublicJwk(jwk)).not.toHaveProperty('key_ops');
  });
});

describe('loadKeyring with HS256', () => {
  it('publishes an empty key set', async () => {
    const keyring = await loadKeyring({
      algorithm: 'HS256',
      secret: SECRET,
      hs256Key: HS256_KEY,
      signingKeys: [],
    });
    expect(JSON.parse(keyring.jwksJson)).toEqual({ keys: [] });
  });

  it('signs without a kid header', async () => {
    const keyring = await loadKeyring({
      algorithm: 'HS256',
      secret: SECRET,
      hs256Key: HS256_KEY,
      signingKeys: [],
    });
    const { token } = await signAccessToken(keyring, PLAIN_SIGNING, {
      userId: 1,
      session: SESSION,
      customClaims: {},
      nowSeconds: NOW_SECONDS,
    });
    expect(decodeJwt(token).header).not.toHaveProperty('kid');
  });

  it('ignores asymmetric keys that are also configured', async () => {
    const keyring = await loadKeyring({
      algorithm: 'HS256',
      secret: SECRET,
      hs256Key: HS256_KEY,
      signingKeys: [await privateJwk('ES256', 'ec')],
    });
    expect(keyring.algorithms).toEqual(['HS256']);
  });

  it('verifies the tokens it signs', async () => {
    const keyring = await loadKeyring({
      algorithm: 'HS256',
      secret: SECRET,
      hs256Key: HS256_KEY,
      signingKeys: [],
    });
    const { token } = await signNow(keyring);
    expect((await verifyAccessToken(keyring, PLAIN, token)).ok).toBe(true);
  });

  it('does not verify a token signed with another secret', async () => {
    const other = await loadKeyring({
      algorithm: 'HS256',
      secret: SECRET,
      hs256Key: `${HS256_KEY}-other`,
      signingKeys: [],
    });
    const keyring = await loadKeyring({
      algorithm: 'HS256',
      secret: SECRET,
      hs256Key: HS256_KEY,
      signingKeys: [],
    });
    const { token } = await signNow(other);
    expect(await verifyAccessToken(keyring, PLAIN, token)).toEqual({
      ok: false,
      reason: 'invalid',
    });
  });
});

describe('loadKeyring with HS256: AUTH_HS256_KEY apart from AUTH_SECRET', () => {
  const hs = (hs256Key: string, secret = SECRET) =>
    loadKeyring({ algorithm: 'HS256', secret, hs256Key, signingKeys: [] });
  const accessClaims = () => ({
    token_type: 'access',
    user_id: 1,
    sub: '1',
    jti: 'j',
    sid: 's',
    auth_time: Math.floor(Date.now() / 1000),
    amr: ['pwd'],
  });
  const signRaw = (key: string) =>
    new SignJWT(accessClaims())
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(key));

  it('verifies a token signed with AUTH_HS256_KEY as given', async () => {
    expect((await verifyAccessToken(await hs(HS256_KEY), PLAIN, await signRaw(HS256_KEY))).ok).toBe(
      true,
    );
  });

  it('refuses a token signed with AUTH_SECRET (the cookie root is no JWT key)', async () => {
    expect(await verifyAccessToken(await hs(HS256_KEY), PLAIN, await signRaw(SECRET))).toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  it('derives no cookie key from AUTH_HS256_KEY: the session and CSRF keys follow AUTH_SECRET alone', async () => {
    const [a, b] = await Promise.all([hs(HS256_KEY), hs(`${HS256_KEY}-another`)]);
    const exp = Math.floor(Date.now() / 1000) + 60;
    const session = await signSessionToken(a, { userId: 1, sid: 's', exp });
    expect(await verifySessionToken(b, session)).toMatchObject({ sid: 's' });
    expect(a.csrfKey.export().equals(b.csrfKey.export())).toBe(true);
  });

  it('throws without AUTH_HS256_KEY, naming it', async () => {
    await expect(
      loadKeyring({ algorithm: 'HS256', secret: SECRET, signingKeys: [] }),
    ).rejects.toThrow('AUTH_HS256_KEY');
  });
});

describe('loadKeyring without a key for an asymmetric algorithm', () => {
  it('throws, naming AUTH_SIGNING_KEYS', async () => {
    await expect(
      loadKeyring({ algorithm: 'ES256', secret: SECRET, signingKeys: [] }),
    ).rejects.toThrow(/AUTH_SIGNING_KEYS/);
  });
});

describe('key rotation', () => {
  async function rotation() {
    const current = await privateJwk('ES256', 'current');
    const retired = await privateJwk('ES256', 'retired');
    const keyring = await loadKeyring({
      algorithm: 'ES256',
      secret: SECRET,
      signingKeys: [current, retired],
    });
    const retiredOnly = await loadKeyring({
      algorithm: 'ES256',
      secret: SECRET,
      signingKeys: [retired],
    });
    return { keyring, retiredOnly };
  }

  it('signs with the first key', async () => {
    const { keyring } = await rotation();
    const { token } = await signNow(keyring);
    expect(decodeJwt(token).header.kid).toBe('current');
  });

  it('verifies a token signed with the first key', async () => {
    const { keyring } = await rotation();
    const { token } = await signNow(keyring);
    expect((await verifyAccessToken(keyring, PLAIN, token)).ok).toBe(true);
  });

  it('still verifies a token signed with the retired key', async () => {
    const { keyring, retiredOnly } = await rotation();
    const { token } = await signNow(retiredOnly);
    expect((await verifyAccessToken(keyring, PLAIN, token)).ok).toBe(true);
  });

  it('publishes both keys, the signing key first', async () => {
    const { keyring } = await rotation();
    expect(publishedKeys(keyring.jwksJson).map((key) => key.kid)).toEqual(['current', 'retired']);
  });

  it('pins each key to its own algorithm when a retired key uses another one', async () => {
    const current = await privateJwk('ES256', 'current');
    const retired = await privateJwk('RS256', 'retired');
    const keyring = await loadKeyring({
      algorithm: 'ES256',
      secret: SECRET,
      signingKeys: [current, retired],
    });
    expect(keyring.verification.get('retired')?.alg).toBe('RS256');
  });
});

describe('the session cookie key', () => {
  it('is derived from the secret, not the secret itself', async () => {
    const keyring = await loadKeyring({
      algorithm: 'HS256',
      secret: SECRET,
      hs256Key: HS256_KEY,
      signingKeys: [],
    });
    const withRawSecret = await new SignJWT({ sub: '1', sid: 's' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(SECRET));
    expect(await verifySessionToken(keyring, withRawSecret)).toBeNull();
  });

  it('is the same for the same secret', async () => {
    const a = await loadKeyring({
      algorithm: 'HS256',
      secret: SECRET,
      hs256Key: HS256_KEY,
      signingKeys: [],
    });
    const b = await loadKeyring({
      algorithm: 'HS256',
      secret: SECRET,
      hs256Key: HS256_KEY,
      signingKeys: [],
    });
    const token = await signSessionToken(a, {
      userId: 1,
      sid: 's',
      exp: Math.floor(Date.now() / 1000) + 60,
    });
    expect(await verifySessionToken(b, token)).toMatchObject({ sub: '1', sid: 's' });
  });
});
