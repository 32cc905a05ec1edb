import { beforeEach, describe, expect, it } from 'vitest';
import { CHECKED_TOKENS_MAX } from '@/auth/tokens/checked';
import { loadKeyring, type Keyring } from '@/auth/tokens/keys';
import { signAccessToken, signRefreshToken } from '@/auth/tokens/sign';
import { verifyAccessToken, verifyRefreshToken } from '@/auth/tokens/verify';
import { NOW_SECONDS, PLAIN, PLAIN_SIGNING, SECRET, SESSION, privateJwk } from './fixtures';

// The access tokens whose signature was checked once (src/auth/tokens/checked.ts): only the
// signature is taken from the cache, for the very same string, and only after every check passed.

const NOW = new Date(NOW_SECONDS * 1000);
let keyring: Keyring;

beforeEach(async () => {
  keyring = await loadKeyring({
    algorithm: 'ES256',
    secret: SECRET,
    signingKeys: [await privateJwk('ES256', 'key-1')],
  });
});

function accessToken(ring = keyring, nowSeconds = NOW_SECONDS, userId = 42): string {
  return signAccessToken(ring, PLAIN_SIGNING, {
    userId,
    session: SESSION,
    customClaims: { roles: ['staff'] },
    nowSeconds,
  }).token;
}

/** The same token with one character of its signature changed. */
function tampered(token: string): string {
  const last = token.at(-2) === 'A' ? 'B' : 'A';
  return `${token.slice(0, -2)}${last}${token.at(-1)}`;
}

describe('checked access tokens', () => {
  it('remembers an access token once it passed every check, and answers the same from it', () => {
    const token = accessToken();
    expect(keyring.checked.has(token)).toBe(false);
    const first = verifyAccessToken(keyring, PLAIN, token, NOW);
    expect(first.ok).toBe(true);
    expect(keyring.checked.has(token)).toBe(true);
    expect(verifyAccessToken(keyring, PLAIN, token, NOW)).toEqual(first);
  });

  it('judges the claims of a remembered token again: it expires as any other', () => {
    const token = accessToken();
    expect(verifyAccessToken(keyring, PLAIN, token, NOW).ok).toBe(true);
    const later = new Date((NOW_SECONDS + 300) * 1000);
    expect(verifyAccessToken(keyring, PLAIN, token, later)).toEqual({
      ok: false,
      reason: 'expired',
    });
    // And the issuer or audience a server requires, whatever it was first checked against.
    expect(verifyAccessToken(keyring, { ...PLAIN, issuer: 'https://kit' }, token, NOW)).toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  it('never lets another string hit: one changed character is checked, and refused', () => {
    const token = accessToken();
    expect(verifyAccessToken(keyring, PLAIN, token, NOW).ok).toBe(true);
    const forged = tampered(token);
    expect(forged).not.toBe(token);
    expect(verifyAccessToken(keyring, PLAIN, forged, NOW)).toEqual({
      ok: false,
      reason: 'invalid',
    });
    expect(keyring.checked.has(forged)).toBe(false);
  });

  it('keeps nothing that was refused: a bad signature, an expired token, a refresh token', () => {
    const expired = accessToken(keyring, NOW_SECONDS - 3600);
    expect(verifyAccessToken(keyring, PLAIN, expired, NOW).ok).toBe(false);
    const refresh = signRefreshToken(keyring, PLAIN_SIGNING, {
      userId: 42,
      jti: 'r-jti',
      sid: SESSION.sid,
      iat: NOW_SECONDS,
      exp: NOW_SECONDS + 86_400,
    });
    expect(verifyAccessToken(keyring, PLAIN, refresh, NOW).ok).toBe(false);
    // A refresh token is presented once (rotation): not kept when it verifies either.
    expect(verifyRefreshToken(keyring, PLAIN, refresh, NOW).ok).toBe(true);
    expect(verifyAccessToken(keyring, PLAIN, tampered(accessToken()), NOW).ok).toBe(false);
    expect(keyring.checked.size).toBe(0);
  });

  it("is the keyring's own: a token checked under one set of keys is checked again under another", async () => {
    const token = accessToken();
    expect(verifyAccessToken(keyring, PLAIN, token, NOW).ok).toBe(true);
    const other = await loadKeyring({
      algorithm: 'ES256',
      secret: SECRET,
      signingKeys: [await privateJwk('ES256', 'key-1')],
    });
    // Same kid, another key: the signature does not verify there.
    expect(verifyAccessToken(other, PLAIN, token, NOW)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('hands out frozen claims, so no caller can change what the next one is given', () => {
    const token = accessToken();
    const first = verifyAccessToken(keyring, PLAIN, token, NOW);
    if (!first.ok) throw new Error('expected a valid token');
    expect(() => {
      (first.claims as unknown as { roles: string[] }).roles.push('admin');
    }).toThrow(TypeError);
    expect(() => {
      (first.claims as { sub: string }).sub = '1';
    }).toThrow(TypeError);
    const again = verifyAccessToken(keyring, PLAIN, token, NOW);
    expect(again).toMatchObject({ ok: true, claims: { sub: '42', roles: ['staff'] } });
  });

  it(`holds at most ${CHECKED_TOKENS_MAX} tokens, the least recently used leaving first`, () => {
    const tokens = Array.from({ length: CHECKED_TOKENS_MAX + 1 }, (_, i) =>
      accessToken(keyring, NOW_SECONDS, i + 1),
    );
    for (const token of tokens) expect(verifyAccessToken(keyring, PLAIN, token, NOW).ok).toBe(true);
    expect(keyring.checked.size).toBe(CHECKED_TOKENS_MAX);
    expect(keyring.checked.has(tokens[0]!)).toBe(false);
    expect(keyring.checked.has(tokens.at(-1)!)).toBe(true);
    // An evicted token is simply checked again.
    expect(verifyAccessToken(keyring, PLAIN, tokens[0]!, NOW).ok).toBe(true);
  });
});
