import { createPublicKey } from 'node:crypto';
import { SignJWT, importJWK, type JWK, type JWTPayload } from 'jose';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadKeyring, toPublicJwk, type Keyring } from '@/auth/tokens/keys';
import { signAccessToken, signRefreshToken, signSessionToken } from '@/auth/tokens/sign';
import {
  expiryJudgedAt,
  peekTokenType,
  verifyAccessToken,
  verifyRefreshToken,
  verifySessionToken,
} from '@/auth/tokens/verify';
import {
  HS256_KEY,
  NOW_SECONDS,
  PLAIN,
  PLAIN_SIGNING,
  SECRET,
  privateJwk,
  SESSION,
} from './fixtures';

const INVALID = { ok: false, reason: 'invalid' } as const;
const EXPIRED = { ok: false, reason: 'expired' } as const;
const MALFORMED = { ok: false, reason: 'malformed' } as const;

let esJwk: JWK;
let keyring: Keyring;
let rsJwk: JWK;
let rsKeyring: Keyring;

beforeAll(async () => {
  esJwk = await privateJwk('ES256', 'key-1');
  keyring = await loadKeyring({ algorithm: 'ES256', secret: SECRET, signingKeys: [esJwk] });
  rsJwk = await privateJwk('RS256', 'rsa-1');
  rsKeyring = await loadKeyring({ algorithm: 'RS256', secret: SECRET, signingKeys: [rsJwk] });
});

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW_SECONDS * 1000);
});

afterEach(() => {
  vi.useRealTimers();
});

function accessClaims(overrides: JWTPayload = {}): JWTPayload {
  return {
    token_type: 'access',
    user_id: 42,
    sub: '42',
    jti: 'a-jti',
    sid: SESSION.sid,
    auth_time: SESSION.authTime,
    amr: ['pwd'],
    iat: NOW_SECONDS,
    exp: NOW_SECONDS + 300,
    ...overrides,
  };
}

function refreshClaims(overrides: JWTPayload = {}): JWTPayload {
  return {
    ...accessClaims({ token_type: 'refresh', sid: 'session-id', exp: NOW_SECONDS + 86_400 }),
    ...overrides,
  };
}

/** Signs any header and payload with a private JWK (or raw HMAC bytes): a hand-made token. */
async function forge(
  key: JWK | Uint8Array,
  header: Record<string, unknown>,
  payload: JWTPayload,
): Promise<string> {
  const signingKey = key instanceof Uint8Array ? key : await importJWK(key, key.alg);
  return new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(signingKey);
}

function unsigned(header: Record<string, unknown>, payload: JWTPayload): string {
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  return `${encode(header)}.${encode(payload)}.`;
}

async function accessToken(
  config: Parameters<typeof signAccessToken>[1] = PLAIN_SIGNING,
  ring = keyring,
) {
  return (
    await signAccessToken(ring, config, {
      userId: 42,
      session: SESSION,
      customClaims: { is_staff: true },
      nowSeconds: NOW_SECONDS,
    })
  ).token;
}

function refreshToken(config: Parameters<typeof signRefreshToken>[1] = PLAIN_SIGNING) {
  return signRefreshToken(keyring, config, {
    userId: 42,
    jti: 'r-jti',
    sid: 'session-id',
    iat: NOW_SECONDS,
    exp: NOW_SECONDS + 86_400,
  });
}

describe('verifyAccessToken', () => {
  it('accepts an access token the kit signed and returns its claims', async () => {
    const result = await verifyAccessToken(keyring, PLAIN, await accessToken());
    expect(result).toMatchObject({
      ok: true,
      claims: { token_type: 'access', user_id: 42, sub: '42', is_staff: true },
    });
  });

  it('refuses a refresh token', async () => {
    expect(await verifyAccessToken(keyring, PLAIN, await refreshToken())).toEqual(INVALID);
  });

  it('refuses access claims signed without typ "at+jwt"', async () => {
    const token = await forge(esJwk, { alg: 'ES256', kid: 'key-1', typ: 'JWT' }, accessClaims());
    expect(await verifyAccessToken(keyring, PLAIN, token)).toEqual(INVALID);
  });

  it('refuses refresh claims dressed with typ "at+jwt"', async () => {
    const token = await forge(
      esJwk,
      { alg: 'ES256', kid: 'key-1', typ: 'at+jwt' },
      refreshClaims(),
    );
    expect(await verifyAccessToken(keyring, PLAIN, token)).toEqual(INVALID);
  });

  it('refuses a token whose sub is not its user_id', async () => {
    const token = await forge(
      esJwk,
      { alg: 'ES256', kid: 'key-1', typ: 'at+jwt' },
      accessClaims({ sub: '43' }),
    );
    expect(await verifyAccessToken(keyring, PLAIN, token)).toEqual(INVALID);
  });

  it('refuses a token whose user_id is not a number', async () => {
    const token = await forge(
      esJwk,
      { alg: 'ES256', kid: 'key-1', typ: 'at+jwt' },
      accessClaims({ user_id: '42' }),
    );
    expect(await verifyAccessToken(keyring, PLAIN, token)).toEqual(INVALID);
  });

  it('accepts the forged claims these tests start from, so each refusal below is for its own reason', async () => {
    const token = await forge(esJwk, { alg: 'ES256', kid: 'key-1', typ: 'at+jwt' }, accessClaims());
    expect(await verifyAccessToken(keyring, PLAIN, token)).toMatchObject({ ok: true });
  });

  it('carries the session claims sid, auth_time and amr', async () => {
    const result = await verifyAccessToken(keyring, PLAIN, await accessToken());
    expect(result).toMatchObject({
      ok: true,
      claims: { sid: SESSION.sid, auth_time: SESSION.authTime, amr: ['pwd'] },
    });
  });

  it.each([
    ['auth_time', '1764345540'],
    ['amr', 'pwd'],
    ['amr', [1]],
    ['sid', 7],
  ])('refuses a token whose %s is %j', async (claim, value) => {
    const token = await forge(
      esJwk,
      { alg: 'ES256', kid: 'key-1', typ: 'at+jwt' },
      accessClaims({ [claim]: value }),
    );
    expect(await verifyAccessToken(keyring, PLAIN, token)).toEqual(INVALID);
  });

  it.each(['exp', 'iat', 'jti', 'sub', 'sid', 'auth_time', 'amr'])(
    'refuses a token without %s',
    async (claim) => {
      const token = await forge(
        esJwk,
        { alg: 'ES256', kid: 'key-1', typ: 'at+jwt' },
        accessClaims({ [claim]: undefined }),
      );
      expect(await verifyAccessToken(keyring, PLAIN, token)).toEqual(INVALID);
    },
  );
});

describe('verifyRefreshToken', () => {
  it('accepts a refresh token the kit signed and returns its session id', async () => {
    const result = await verifyRefreshToken(keyring, PLAIN, await refreshToken());
    expect(result).toMatchObject({
      ok: true,
      claims: { token_type: 'refresh', jti: 'r-jti', sid: 'session-id' },
    });
  });

  it('refuses an access token', async () => {
    expect(await verifyRefreshToken(keyring, PLAIN, await accessToken())).toEqual(INVALID);
  });

  it('refuses a refresh token without sid', async () => {
    const token = await forge(
      esJwk,
      { alg: 'ES256', kid: 'key-1', typ: 'JWT' },
      refreshClaims({ sid: undefined }),
    );
    expect(await verifyRefreshToken(keyring, PLAIN, token)).toEqual(INVALID);
  });
});

describe('issuer and audience', () => {
  const CONFIGURED = { ...PLAIN, issuer: 'https://kit.example', audience: 'api' };
  const SIGNING = { ...PLAIN_SIGNING, issuer: 'https://kit.example', audience: 'api' };

  it('accepts an access token with the configured issuer and audience', async () => {
    expect((await verifyAccessToken(keyring, CONFIGURED, await accessToken(SIGNING))).ok).toBe(
      true,
    );
  });

  it('accepts a refresh token with the configured issuer and audience', async () => {
    expect((await verifyRefreshToken(keyring, CONFIGURED, await refreshToken(SIGNING))).ok).toBe(
      true,
    );
  });

  it('refuses a token from another issuer', async () => {
    const token = await accessToken({ ...SIGNING, issuer: 'https://other.example' });
    expect(await verifyAccessToken(keyring, CONFIGURED, token)).toEqual(INVALID);
  });

  it('refuses a token for another audience', async () => {
    const token = await accessToken({ ...SIGNING, audience: 'other-api' });
    expect(await verifyAccessToken(keyring, CONFIGURED, token)).toEqual(INVALID);
  });

  it('refuses a token without an issuer when one is configured', async () => {
    const token = await accessToken({ ...SIGNING, issuer: null });
    expect(await verifyAccessToken(keyring, CONFIGURED, token)).toEqual(INVALID);
  });

  it('refuses a token without an audience when one is configured', async () => {
    const token = await accessToken({ ...SIGNING, audience: null });
    expect(await verifyAccessToken(keyring, CONFIGURED, token)).toEqual(INVALID);
  });

  it('refuses a refresh token from another issuer', async () => {
    const token = await refreshToken({ issuer: 'https://other.example', audience: 'api' });
    expect(await verifyRefreshToken(keyring, CONFIGURED, token)).toEqual(INVALID);
  });
});

describe('hostile headers', () => {
  it('refuses alg "none"', async () => {
    const token = unsigned({ alg: 'none', kid: 'key-1', typ: 'at+jwt' }, accessClaims());
    expect(await verifyAccessToken(keyring, PLAIN, token)).toEqual(INVALID);
  });

  it('refuses alg "none" for a refresh token', async () => {
    const token = unsigned({ alg: 'none', kid: 'key-1', typ: 'JWT' }, refreshClaims());
    expect(await verifyRefreshToken(keyring, PLAIN, token)).toEqual(INVALID);
  });

  it('refuses an algorithm other than the configured one, even under a known kid', async () => {
    const impostor = await privateJwk('RS256', 'key-1');
    const token = await forge(
      impostor,
      { alg: 'RS256', kid: 'key-1', typ: 'at+jwt' },
      accessClaims(),
    );
    expect(await verifyAccessToken(keyring, PLAIN, token)).toEqual(INVALID);
  });

  it('refuses a known kid used with the algorithm of another configured key', async () => {
    const mixed = await loadKeyring({
      algorithm: 'ES256',
      secret: SECRET,
      signingKeys: [esJwk, rsJwk],
    });
    const impostor = await privateJwk('RS256', 'key-1');
    const token = await forge(
      impostor,
      { alg: 'RS256', kid: 'key-1', typ: 'at+jwt' },
      accessClaims(),
    );
    expect(await verifyAccessToken(mixed, PLAIN, token)).toEqual(INVALID);
  });

  it('refuses an unknown kid', async () => {
    const stranger = await privateJwk('ES256', 'stranger');
    const token = await forge(
      stranger,
      { alg: 'ES256', kid: 'stranger', typ: 'at+jwt' },
      accessClaims(),
    );
    expect(await verifyAccessToken(keyring, PLAIN, token)).toEqual(INVALID);
  });

  it('refuses a token without a kid', async () => {
    const token = await forge(esJwk, { alg: 'ES256', typ: 'at+jwt' }, accessClaims());
    expect(await verifyAccessToken(keyring, PLAIN, token)).toEqual(INVALID);
  });

  it('refuses a token signed with a known kid by another key', async () => {
    const impostor = await privateJwk('ES256', 'key-1');
    const token = await forge(
      impostor,
      { alg: 'ES256', kid: 'key-1', typ: 'at+jwt' },
      accessClaims(),
    );
    expect(await verifyAccessToken(keyring, PLAIN, token)).toEqual(INVALID);
  });

  describe.each([
    [
      'an SPKI PEM',
      (jwk: JWK) =>
        createPublicKey({ key: toPublicJwk(jwk), format: 'jwk' })
          .export({ type: 'spki', format: 'pem' })
          .toString(),
    ],
    ['a JWK JSON text', (jwk: JWK) => JSON.stringify(toPublicJwk(jwk))],
    ['the modulus', (jwk: JWK) => jwk.n ?? ''],
  ])('algorithm confusion with the public key as %s', (_name, publicKeyText) => {
    it('refuses an HS256 token keyed with the RS256 public key', async () => {
      const hmacKey = new TextEncoder().encode(publicKeyText(rsJwk));
      const token = await forge(
        hmacKey,
        { alg: 'HS256', kid: 'rsa-1', typ: 'at+jwt' },
        accessClaims(),
      );
      expect(await verifyAccessToken(rsKeyring, PLAIN, token)).toEqual(INVALID);
    });

    it('refuses an HS256 token keyed with the RS256 public key and no kid', async () => {
      const hmacKey = new TextEncoder().encode(publicKeyText(rsJwk));
      const token = await forge(hmacKey, { alg: 'HS256', typ: 'at+jwt' }, accessClaims());
      expect(await verifyAccessToken(rsKeyring, PLAIN, token)).toEqual(INVALID);
    });
  });

  it('refuses an HS256 token keyed with the ES256 public key', async () => {
    const pem = createPublicKey({ key: toPublicJwk(esJwk), format: 'jwk' })
      .export({ type: 'spki', format: 'pem' })
      .toString();
    const token = await forge(
      new TextEncoder().encode(pem),
      { alg: 'HS256', kid: 'key-1', typ: 'at+jwt' },
      accessClaims(),
    );
    expect(await verifyAccessToken(keyring, PLAIN, token)).toEqual(INVALID);
  });

  it.each([
    ['jku', { jku: 'https://attacker.example/jwks.json' }],
    ['x5u', { x5u: 'https://attacker.example/cert.pem' }],
    ['x5c', { x5c: ['MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'] }],
  ])('refuses a token carrying a %s header, even when correctly signed', async (_name, extra) => {
    const token = await forge(
      esJwk,
      { alg: 'ES256', kid: 'key-1', typ: 'at+jwt', ...extra },
      accessClaims(),
    );
    expect(await verifyAccessToken(keyring, PLAIN, token)).toEqual(INVALID);
  });

  it('refuses a token carrying an embedded jwk header, even when correctly signed', async () => {
    const token = await forge(
      esJwk,
      { alg: 'ES256', kid: 'key-1', typ: 'at+jwt', jwk: toPublicJwk(esJwk) },
      accessClaims(),
    );
    expect(await verifyAccessToken(keyring, PLAIN, token)).toEqual(INVALID);
  });

  it('refuses a token signed by an attacker key embedded as its jwk header', async () => {
    const attacker = await privateJwk('ES256', 'key-1');
    const token = await forge(
      attacker,
      { alg: 'ES256', kid: 'key-1', typ: 'at+jwt', jwk: toPublicJwk(attacker) },
      accessClaims(),
    );
    expect(await verifyAccessToken(keyring, PLAIN, token)).toEqual(INVALID);
  });

  it('refuses a refresh token carrying a jku header', async () => {
    const token = await forge(
      esJwk,
      { alg: 'ES256', kid: 'key-1', typ: 'JWT', jku: 'https://attacker.example/jwks.json' },
      refreshClaims(),
    );
    expect(await verifyRefreshToken(keyring, PLAIN, token)).toEqual(INVALID);
  });
});

describe('tampering and malformed input', () => {
  it('reports a changed payload as invalid', async () => {
    const [header, , signature] = (await accessToken()).split('.');
    const payload = Buffer.from(JSON.stringify(accessClaims({ user_id: 1, sub: '1' }))).toString(
      'base64url',
    );
    expect(await verifyAccessToken(keyring, PLAIN, `${header}.${payload}.${signature}`)).toEqual(
      INVALID,
    );
  });

  it('reports a changed signature as invalid', async () => {
    const token = await accessToken();
    const last = token.at(-2) === 'A' ? 'B' : 'A';
    expect(
      await verifyAccessToken(keyring, PLAIN, `${token.slice(0, -2)}${last}${token.at(-1)}`),
    ).toEqual(INVALID);
  });

  it('reports a tampered payload with a past exp as invalid, not expired', async () => {
    const [header, , signature] = (await accessToken()).split('.');
    const payload = Buffer.from(JSON.stringify(accessClaims({ exp: NOW_SECONDS - 10 }))).toString(
      'base64url',
    );
    expect(await verifyAccessToken(keyring, PLAIN, `${header}.${payload}.${signature}`)).toEqual(
      INVALID,
    );
  });

  it.each([
    ['an empty string', ''],
    ['a word', 'not-a-jwt'],
    ['two parts', 'aaa.bbb'],
    ['four parts', 'a.b.c.d'],
  ])('reports %s as malformed', async (_name, token) => {
    expect(await verifyAccessToken(keyring, PLAIN, token)).toEqual(MALFORMED);
  });

  it('reports a value that is not a string as malformed', async () => {
    expect(await verifyAccessToken(keyring, PLAIN, 42 as unknown as string)).toEqual(MALFORMED);
  });

  it('reports a token over 8 KiB as malformed', async () => {
    const token = `${'a'.repeat(4096)}.${'b'.repeat(4096)}.c`;
    expect(await verifyAccessToken(keyring, PLAIN, token)).toEqual(MALFORMED);
  });

  it('reports three parts that are not base64url JSON as invalid', async () => {
    expect(await verifyAccessToken(keyring, PLAIN, '!!!.???.***')).toEqual(INVALID);
  });
});

describe('expiry and leeway', () => {
  it('accepts an access token one second before it expires', async () => {
    const token = await accessToken();
    vi.setSystemTime((NOW_SECONDS + 299) * 1000);
    expect((await verifyAccessToken(keyring, PLAIN, token)).ok).toBe(true);
  });

  it('reports an access token at its exp as expired', async () => {
    const token = await accessToken();
    vi.setSystemTime((NOW_SECONDS + 300) * 1000);
    expect(await verifyAccessToken(keyring, PLAIN, token)).toEqual(EXPIRED);
  });

  it('reports an expired refresh token as expired', async () => {
    const token = await refreshToken();
    vi.setSystemTime((NOW_SECONDS + 86_401) * 1000);
    expect(await verifyRefreshToken(keyring, PLAIN, token)).toEqual(EXPIRED);
  });

  it('accepts a token expired by less than the leeway', async () => {
    const token = await accessToken();
    vi.setSystemTime((NOW_SECONDS + 305) * 1000);
    expect((await verifyAccessToken(keyring, { ...PLAIN, leewaySeconds: 10 }, token)).ok).toBe(
      true,
    );
  });

  it('reports a token expired by more than the leeway as expired', async () => {
    const token = await accessToken();
    vi.setSystemTime((NOW_SECONDS + 311) * 1000);
    expect(await verifyAccessToken(keyring, { ...PLAIN, leewaySeconds: 10 }, token)).toEqual(
      EXPIRED,
    );
  });

  it('refuses a token not yet valid (nbf) without leeway', async () => {
    const token = await forge(
      esJwk,
      { alg: 'ES256', kid: 'key-1', typ: 'at+jwt' },
      accessClaims({ nbf: NOW_SECONDS + 5 }),
    );
    expect(await verifyAccessToken(keyring, PLAIN, token)).toEqual(INVALID);
  });

  it('accepts a token not yet valid (nbf) within the leeway', async () => {
    const token = await forge(
      esJwk,
      { alg: 'ES256', kid: 'key-1', typ: 'at+jwt' },
      accessClaims({ nbf: NOW_SECONDS + 5 }),
    );
    expect((await verifyAccessToken(keyring, { ...PLAIN, leewaySeconds: 10 }, token)).ok).toBe(
      true,
    );
  });
});

describe('the clock expiry is judged by', () => {
  // The system clock stays frozen at NOW_SECONDS; the services' `now` is what counts.
  const at = (seconds: number) => new Date(seconds * 1000);

  it('judges an access token at the given `now`, not at the system clock', async () => {
    const token = await accessToken();
    expect(await verifyAccessToken(keyring, PLAIN, token, at(NOW_SECONDS + 300))).toEqual(EXPIRED);
    expect((await verifyAccessToken(keyring, PLAIN, token, at(NOW_SECONDS + 299))).ok).toBe(true);
  });

  it('judges a refresh token at the given `now`, with the leeway', async () => {
    const token = await refreshToken();
    const leeway = { ...PLAIN, leewaySeconds: 5 };
    expect((await verifyRefreshToken(keyring, leeway, token, at(NOW_SECONDS + 86_403))).ok).toBe(
      true,
    );
    expect(await verifyRefreshToken(keyring, leeway, token, at(NOW_SECONDS + 86_406))).toEqual(
      EXPIRED,
    );
  });

  it('gives the stored expiries the same leeway: expiry is judged at `now` less the leeway', () => {
    expect(expiryJudgedAt({ leewaySeconds: 5 }, at(NOW_SECONDS))).toEqual(at(NOW_SECONDS - 5));
    expect(expiryJudgedAt({ leewaySeconds: 0 }, at(NOW_SECONDS))).toEqual(at(NOW_SECONDS));
  });
});

describe('peekTokenType', () => {
  it('reads "access" from an access token', async () => {
    expect(peekTokenType(await accessToken())).toBe('access');
  });

  it('reads "refresh" from a refresh token', async () => {
    expect(peekTokenType(await refreshToken())).toBe('refresh');
  });

  it.each([
    ['garbage', 'garbage'],
    ['an unknown token_type', unsigned({ alg: 'none' }, { token_type: 'id' })],
    ['no token_type', unsigned({ alg: 'none' }, { sub: '1' })],
  ])('returns null for %s', (_name, token) => {
    expect(peekTokenType(token)).toBeNull();
  });
});

describe('verifySessionToken', () => {
  const session = () =>
    signSessionToken(keyring, { userId: 42, sid: 'session-id', exp: NOW_SECONDS + 60 });

  it('returns sub, sid and exp of a session token the kit signed', async () => {
    expect(await verifySessionToken(keyring, await session())).toEqual({
      sub: '42',
      sid: 'session-id',
      exp: NOW_SECONDS + 60,
    });
  });

  it('returns null when the cookie is absent', async () => {
    expect(await verifySessionToken(keyring, undefined)).toBeNull();
  });

  it('returns null for an expired session token', async () => {
    const token = await session();
    vi.setSystemTime((NOW_SECONDS + 60) * 1000);
    expect(await verifySessionToken(keyring, token)).toBeNull();
  });

  it('returns null for a session token signed with another secret', async () => {
    const other = await loadKeyring({
      algorithm: 'HS256',
      secret: `${SECRET}-other`,
      hs256Key: HS256_KEY,
      signingKeys: [],
    });
    const token = await signSessionToken(other, {
      userId: 42,
      sid: 'session-id',
      exp: NOW_SECONDS + 60,
    });
    expect(await verifySessionToken(keyring, token)).toBeNull();
  });

  it('returns null for a tampered session token', async () => {
    const [header, , signature] = (await session()).split('.');
    const payload = Buffer.from(
      JSON.stringify({ sub: '1', sid: 'session-id', exp: NOW_SECONDS + 60 }),
    ).toString('base64url');
    expect(await verifySessionToken(keyring, `${header}.${payload}.${signature}`)).toBeNull();
  });

  it('returns null for an access token', async () => {
    expect(await verifySessionToken(keyring, await accessToken())).toBeNull();
  });

  it('returns null for an HS256 access token signed with the same secret', async () => {
    const hsKeyring = await loadKeyring({
      algorithm: 'HS256',
      secret: SECRET,
      hs256Key: HS256_KEY,
      signingKeys: [],
    });
    expect(
      await verifySessionToken(hsKeyring, await accessToken(PLAIN_SIGNING, hsKeyring)),
    ).toBeNull();
  });

  it('returns null for alg "none"', async () => {
    expect(
      await verifySessionToken(
        keyring,
        unsigned({ alg: 'none' }, { sub: '42', sid: 's', exp: NOW_SECONDS + 60 }),
      ),
    ).toBeNull();
  });

  it('returns null for a session token without sid', async () => {
    const token = await new SignJWT({ sub: '42', exp: NOW_SECONDS + 60 })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(keyring.sessionKey);
    expect(await verifySessionToken(keyring, token)).toBeNull();
  });

  it('is not accepted as an access token', async () => {
    const hsKeyring = await loadKeyring({
      algorithm: 'HS256',
      secret: SECRET,
      hs256Key: HS256_KEY,
      signingKeys: [],
    });
    const token = await signSessionToken(hsKeyring, {
      userId: 42,
      sid: 'session-id',
      exp: NOW_SECONDS + 60,
    });
    expect(await verifyAccessToken(hsKeyring, PLAIN, token)).toEqual(INVALID);
  });
});
