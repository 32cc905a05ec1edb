import { beforeAll, describe, expect, it } from 'vitest';
import { loadKeyring, type Keyring } from '@/auth/tokens/keys';
import { newJti, signAccessToken, signRefreshToken, signSessionToken } from '@/auth/tokens/sign';
import { NOW_SECONDS, PLAIN_SIGNING, SECRET, decodeJwt, privateJwk, SESSION } from './fixtures';

let keyring: Keyring;

beforeAll(async () => {
  keyring = await loadKeyring({
    algorithm: 'ES256',
    secret: SECRET,
    signingKeys: [await privateJwk('ES256', 'key-1')],
  });
});

function signAccess(
  config: Parameters<typeof signAccessToken>[1] = PLAIN_SIGNING,
  customClaims = {},
) {
  return signAccessToken(keyring, config, {
    userId: 42,
    session: SESSION,
    customClaims,
    nowSeconds: NOW_SECONDS,
  });
}

function signRefresh(config: Parameters<typeof signRefreshToken>[1] = PLAIN_SIGNING) {
  return signRefreshToken(keyring, config, {
    userId: 42,
    jti: 'refresh-jti',
    sid: 'session-id',
    iat: NOW_SECONDS,
    exp: NOW_SECONDS + 86_400,
  });
}

describe('newJti', () => {
  it('is 128 random bits in hex', () => {
    expect(newJti()).toMatch(/^[0-9a-f]{32}$/);
  });

  it('differs on every call', () => {
    expect(newJti()).not.toBe(newJti());
  });
});

describe('signAccessToken', () => {
  it('sets the header typ "at+jwt" (RFC 9068)', async () => {
    const { token } = await signAccess();
    expect(decodeJwt(token).header).toEqual({ alg: 'ES256', kid: 'key-1', typ: 'at+jwt' });
  });

  it('carries exactly the contract claims when no issuer or audience is configured', async () => {
    const { token, jti } = await signAccess();
    expect(decodeJwt(token).payload).toEqual({
      token_type: 'access',
      user_id: 42,
      sub: '42',
      jti,
      sid: SESSION.sid,
      auth_time: SESSION.authTime,
      amr: ['pwd'],
      iat: NOW_SECONDS,
      exp: NOW_SECONDS + 300,
    });
  });

  it('returns the exp it signed', async () => {
    const { token, exp } = await signAccess();
    expect(decodeJwt(token).payload.exp).toBe(exp);
  });

  it('expires after the configured access token lifetime', async () => {
    const { exp } = await signAccess({ ...PLAIN_SIGNING, accessTokenLifetimeSeconds: 60 });
    expect(exp).toBe(NOW_SECONDS + 60);
  });

  it('carries iss and aud when they are configured', async () => {
    const { token } = await signAccess({
      ...PLAIN_SIGNING,
      issuer: 'https://kit.example',
      audience: 'api',
    });
    expect(decodeJwt(token).payload).toMatchObject({ iss: 'https://kit.example', aud: 'api' });
  });

  it('adds the custom claims after the registered ones', async () => {
    const { token } = await signAccess(PLAIN_SIGNING, { is_staff: true, roles: ['admin'] });
    const keys = Object.keys(decodeJwt(token).payload);
    expect(keys.slice(-2)).toEqual(['is_staff', 'roles']);
  });

  it('gives every token a new jti', async () => {
    const [a, b] = await Promise.all([signAccess(), signAccess()]);
    expect(a.jti).not.toBe(b.jti);
  });
});

describe('signRefreshToken', () => {
  it('carries the refresh claims with the session id', async () => {
    const token = await signRefresh();
    expect(decodeJwt(token).payload).toEqual({
      token_type: 'refresh',
      user_id: 42,
      sub: '42',
      jti: 'refresh-jti',
      sid: 'session-id',
      iat: NOW_SECONDS,
      exp: NOW_SECONDS + 86_400,
    });
  });

  it('is not typed as an access token', async () => {
    const token = await signRefresh();
    expect(decodeJwt(token).header).toEqual({ alg: 'ES256', kid: 'key-1', typ: 'JWT' });
  });

  it('signs the same token again for the same inputs (re-signable in the grace window)', async () => {
    const payload = decodeJwt(await signRefresh()).payload;
    expect(decodeJwt(await signRefresh()).payload).toEqual(payload);
  });
});

describe('signSessionToken', () => {
  it('carries only sub, sid and exp', async () => {
    const token = await signSessionToken(keyring, {
      userId: 42,
      sid: 'session-id',
      exp: NOW_SECONDS + 60,
    });
    expect(decodeJwt(token).payload).toEqual({
      sub: '42',
      sid: 'session-id',
      exp: NOW_SECONDS + 60,
    });
  });

  it('is signed with HS256 and no kid', async () => {
    const token = await signSessionToken(keyring, {
      userId: 42,
      sid: 'session-id',
      exp: NOW_SECONDS + 60,
    });
    expect(decodeJwt(token).header).toEqual({ alg: 'HS256', typ: 'JWT' });
  });
});
