import {
  createHmac,
  createPrivateKey,
  generateKeyPairSync,
  sign,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { errors, importJWK, jwtVerify, SignJWT, type JWK, type JWTPayload } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Algorithm } from '@/auth/config/types';
import { loadKeyring, toPublicJwk, type Keyring } from '@/auth/tokens/keys';
import { signAccessToken, signRefreshToken, signSessionToken } from '@/auth/tokens/sign';
import {
  verifyAccessToken,
  verifyRefreshToken,
  verifySessionToken,
  type VerifyResult,
} from '@/auth/tokens/verify';
import { HS256_KEY, NOW_SECONDS, PLAIN_SIGNING, SECRET, privateJwk, SESSION } from './fixtures';

/**
 * The kit signs and verifies its own tokens with node:crypto (src/auth/tokens/jws.ts); every
 * other party (the services that verify through the JWKS, the kit before) uses jose. These tests
 * hold the two to the same bytes and the same verdicts.
 */

const ALGORITHMS: Algorithm[] = ['ES256', 'RS256', 'EdDSA', 'HS256'];
/** Deterministic signatures (RSA PKCS#1 v1.5, Ed25519, HMAC): whole tokens must be equal. */
const DETERMINISTIC: Algorithm[] = ['RS256', 'EdDSA', 'HS256'];
const NOW = new Date(NOW_SECONDS * 1000);

interface Kit {
  alg: Algorithm;
  keyring: Keyring;
  /** The key jose signs with, and the one it verifies with. */
  joseSigning: CryptoKey | Uint8Array;
  joseVerifying: CryptoKey | Uint8Array;
  /** The private key as node:crypto holds it, to sign hand-made inputs. */
  raw: KeyObject;
  kid: string | undefined;
}

const kits = new Map<Algorithm, Kit>();

beforeAll(async () => {
  for (const alg of ALGORITHMS) {
    if (alg === 'HS256') {
      const keyring = await loadKeyring({
        algorithm: alg,
        secret: SECRET,
        hs256Key: HS256_KEY,
        signingKeys: [],
      });
      const bytes = new TextEncoder().encode(HS256_KEY);
      kits.set(alg, {
        alg,
        keyring,
        joseSigning: bytes,
        joseVerifying: bytes,
        raw: keyring.signing.key,
        kid: undefined,
      });
      continue;
    }
    const jwk = await privateJwk(alg, `${alg}-key`);
    const keyring = await loadKeyring({ algorithm: alg, secret: SECRET, signingKeys: [jwk] });
    kits.set(alg, {
      alg,
      keyring,
      joseSigning: (await importJWK(jwk, alg)) as CryptoKey,
      joseVerifying: (await importJWK(toPublicJwk(jwk), alg)) as CryptoKey,
      raw: createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' }),
      kid: jwk.kid,
    });
  }
});

const kit = (alg: Algorithm) => kits.get(alg)!;
const segments = (token: string) => token.split('.');
const signedPart = (token: string) => segments(token).slice(0, 2).join('.');

function accessInput() {
  return {
    userId: 42,
    session: SESSION,
    customClaims: { username: 'zoë', is_staff: true, roles: ['a', 'b'], nested: { n: 1 } },
    nowSeconds: NOW_SECONDS,
  };
}

const ISSUED = { ...PLAIN_SIGNING, issuer: 'https://kit.example', audience: 'api' };
const CHECKED = { issuer: 'https://kit.example', audience: 'api', leewaySeconds: 0 };

/** The same header and claims, signed by jose's SignJWT (what the kit did before). */
function joseSign(k: Kit, header: Record<string, unknown>, payload: JWTPayload): Promise<string> {
  return new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(k.joseSigning);
}

describe.each(ALGORITHMS)('%s: the kit and jose write the same tokens', (alg) => {
  it('an access token: header and claims byte for byte, and jose verifies it', async () => {
    const k = kit(alg);
    const input = accessInput();
    const { token, jti } = signAccessToken(k.keyring, ISSUED, input);
    const header = k.kid ? { alg, kid: k.kid, typ: 'at+jwt' } : { alg, typ: 'at+jwt' };
    const fromJose = await joseSign(k, header, {
      token_type: 'access',
      user_id: 42,
      sub: '42',
      jti,
      sid: SESSION.sid,
      auth_time: SESSION.authTime,
      amr: ['pwd'],
      iat: NOW_SECONDS,
      exp: NOW_SECONDS + 300,
      iss: ISSUED.issuer,
      aud: ISSUED.audience,
      ...input.customClaims,
    });
    expect(signedPart(fromJose)).toBe(signedPart(token));
    if (DETERMINISTIC.includes(alg)) expect(fromJose).toBe(token);
    const verified = await jwtVerify(token, k.joseVerifying, {
      algorithms: [alg],
      typ: 'at+jwt',
      issuer: CHECKED.issuer,
      audience: CHECKED.audience,
      currentDate: NOW,
    });
    expect(verified.protectedHeader).toEqual(
      k.kid ? { alg, kid: k.kid, typ: 'at+jwt' } : { alg, typ: 'at+jwt' },
    );
    expect(verified.payload).toMatchObject({ user_id: 42, username: 'zoë', nested: { n: 1 } });
  });

  it('a refresh token: the same bytes as jose, and jose verifies it', async () => {
    const k = kit(alg);
    const input = { userId: 7, jti: 'r-jti', sid: 's', iat: NOW_SECONDS, exp: NOW_SECONDS + 60 };
    const token = signRefreshToken(k.keyring, ISSUED, input);
    const fromJose = await joseSign(
      k,
      k.kid ? { alg, kid: k.kid, typ: 'JWT' } : { alg, typ: 'JWT' },
      {
        token_type: 'refresh',
        user_id: 7,
        sub: '7',
        jti: 'r-jti',
        sid: 's',
        iat: NOW_SECONDS,
        exp: NOW_SECONDS + 60,
        iss: ISSUED.issuer,
        aud: ISSUED.audience,
      },
    );
    expect(signedPart(token)).toBe(signedPart(fromJose));
    if (DETERMINISTIC.includes(alg)) expect(token).toBe(fromJose);
    const { payload } = await jwtVerify(token, k.joseVerifying, { currentDate: NOW });
    expect(payload).toMatchObject({ token_type: 'refresh', sid: 's' });
  });

  it('a token jose signed verifies with the kit, with the same claims', async () => {
    const k = kit(alg);
    const claims = {
      token_type: 'access',
      user_id: 42,
      sub: '42',
      jti: 'j',
      sid: SESSION.sid,
      auth_time: SESSION.authTime,
      amr: ['pwd'],
      iat: NOW_SECONDS,
      exp: NOW_SECONDS + 300,
      iss: CHECKED.issuer,
      aud: CHECKED.audience,
      username: 'zoë',
    };
    const header = k.kid ? { alg, kid: k.kid, typ: 'at+jwt' } : { alg, typ: 'at+jwt' };
    const token = await joseSign(k, header, claims);
    expect(verifyAccessToken(k.keyring, CHECKED, token, NOW)).toEqual({ ok: true, claims });
  });

  it('a signature from one side, tampered, is refused by both', async () => {
    const k = kit(alg);
    const { token } = signAccessToken(k.keyring, ISSUED, accessInput());
    const [h, , s] = segments(token);
    const forged = `${h}.${Buffer.from(JSON.stringify({ user_id: 1 })).toString('base64url')}.${s}`;
    await expect(jwtVerify(forged, k.joseVerifying)).rejects.toBeInstanceOf(
      errors.JWSSignatureVerificationFailed,
    );
    expect(verifyAccessToken(k.keyring, CHECKED, forged, NOW)).toEqual({
      ok: false,
      reason: 'invalid',
    });
  });
});

describe('the session cookie: the kit and jose write and read the same token', () => {
  it('the same bytes as jose, and each verifies the other', async () => {
    const { keyring } = kit('ES256');
    const input = { userId: 42, sid: 'session-id', exp: Math.floor(Date.now() / 1000) + 60 };
    const token = signSessionToken(keyring, input);
    const fromJose = await new SignJWT({ sub: '42', sid: 'session-id', exp: input.exp })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(keyring.sessionKey);
    expect(token).toBe(fromJose);
    expect((await jwtVerify(token, keyring.sessionKey)).payload).toEqual({
      sub: '42',
      sid: 'session-id',
      exp: input.exp,
    });
    expect(verifySessionToken(keyring, fromJose)).toMatchObject({ sid: 'session-id' });
  });
});

/**
 * The rules, side by side: what the kit decided through jose's jwtVerify before (this oracle is
 * the old verifyJwt, kept here only as the reference) against what it decides now, for tokens
 * built to sit on each rule's edge.
 */
describe('the same verdicts as jose on hand-made tokens', () => {
  type TokenType = 'access' | 'refresh';
  const b64 = (value: string | Uint8Array) => Buffer.from(value).toString('base64url');
  const json = (value: unknown) => b64(JSON.stringify(value));

  function rawSign(k: Kit, input: string): string {
    const data = Buffer.from(input);
    if (k.alg === 'HS256') return b64(createHmac('sha256', k.raw).update(data).digest());
    if (k.alg === 'ES256')
      return b64(sign('sha256', data, { key: k.raw, dsaEncoding: 'ieee-p1363' }));
    return b64(sign(k.alg === 'RS256' ? 'sha256' : null, data, k.raw));
  }

  /** A token over exactly these header and payload segments. */
  const build = (k: Kit, header: string, payload: string) =>
    `${header}.${payload}.${rawSign(k, `${header}.${payload}`)}`;

  function claims(type: TokenType, overrides: Record<string, unknown> = {}) {
    return {
      token_type: type,
      user_id: 42,
      sub: '42',
      jti: 'j',
      sid: 's',
      ...(type === 'access' ? { auth_time: NOW_SECONDS - 60, amr: ['pwd'] } : {}),
      iat: NOW_SECONDS,
      exp: NOW_SECONDS + 300,
      iss: CHECKED.issuer,
      aud: CHECKED.audience,
      ...overrides,
    };
  }

  function header(k: Kit, type: TokenType, overrides: Record<string, unknown> = {}) {
    return {
      alg: k.alg,
      ...(k.kid ? { kid: k.kid } : {}),
      typ: type === 'access' ? 'at+jwt' : 'JWT',
      ...overrides,
    };
  }

  /** The old verifyJwt, on jose. */
  async function joseVerdict(
    k: Kit,
    config: typeof CHECKED,
    token: string,
    type: TokenType,
    now: Date,
  ): Promise<VerifyResult<JWTPayload>> {
    if (token.length > 8192 || token.split('.').length !== 3)
      return { ok: false, reason: 'malformed' };
    try {
      const { payload } = await jwtVerify(
        token,
        (h) => {
          if ('jku' in h || 'x5u' in h || 'jwk' in h || 'x5c' in h) throw new errors.JWSInvalid();
          if ((h.kid ?? '') !== (k.kid ?? '') || h.alg !== k.alg)
            throw new errors.JWKSNoMatchingKey();
          return k.joseVerifying;
        },
        {
          algorithms: [k.alg],
          typ: type === 'access' ? 'at+jwt' : undefined,
          issuer: config.issuer ?? undefined,
          audience: config.audience ?? undefined,
          clockTolerance: config.leewaySeconds,
          currentDate: now,
          requiredClaims: ['exp', 'iat', 'jti', 'sub'],
        },
      );
      const kitClaims =
        payload.token_type === type &&
        typeof payload.user_id === 'number' &&
        payload.sub === String(payload.user_id) &&
        typeof payload.jti === 'string' &&
        typeof payload.sid === 'string' &&
        (type === 'refresh' ||
          (typeof payload.auth_time === 'number' &&
            Array.isArray(payload.amr) &&
            payload.amr.every((m) => typeof m === 'string')));
      return kitClaims ? { ok: true, claims: payload } : { ok: false, reason: 'invalid' };
    } catch (error) {
      if (error instanceof errors.JWTExpired) return { ok: false, reason: 'expired' };
      if (error instanceof errors.JOSEError) return { ok: false, reason: 'invalid' };
      throw error;
    }
  }

  function cases(k: Kit, type: TokenType): [string, string][] {
    const h = (o?: Record<string, unknown>) => json(header(k, type, o));
    const c = (o?: Record<string, unknown>) => json(claims(type, o));
    const valid = build(k, h(), c());
    const [vh, vp, vs] = segments(valid) as [string, string, string];
    const list: [string, string][] = [
      ['valid', valid],
      ['signature padded with ==', `${valid}==`],
      ['signature with a space', `${vh}.${vp}.${vs.slice(0, 4)} ${vs.slice(4)}`],
      ['signature with a + in it', `${vh}.${vp}.+${vs.slice(1)}`],
      [
        'signature with its last character changed',
        `${valid.slice(0, -1)}${valid.endsWith('A') ? 'B' : 'A'}`,
      ],
      ['signature empty', `${vh}.${vp}.`],
      ['signature of five characters', `${vh}.${vp}.AAAAA`],
      [
        'the other type of token',
        build(
          k,
          json(header(k, type === 'access' ? 'refresh' : 'access')),
          json(claims(type === 'access' ? 'refresh' : 'access')),
        ),
      ],
      ['a padded header segment', build(k, `${h()}${'='.repeat((4 - (h().length % 4)) % 4)}`, c())],
      ['a header segment with a newline', build(k, `${h().slice(0, 3)}\n${h().slice(3)}`, c())],
      ['a payload segment with a non-ASCII character', build(k, h(), `${c()}é`)],
      ['a header that is an array', build(k, json([header(k, type)]), c())],
      ['a header that is not JSON', build(k, b64('{alg'), c())],
      ['a header with a BOM', build(k, b64(`\ufeff${JSON.stringify(header(k, type))}`), c())],
      ['claims that are an array', build(k, h(), json([claims(type)]))],
      ['claims that are null', build(k, h(), json(null))],
      ['claims in invalid UTF-8', build(k, h(), b64(new Uint8Array([0x7b, 0xff, 0x7d])))],
      ['claims with a BOM', build(k, h(), b64(`\ufeff${JSON.stringify(claims(type))}`))],
      ['typ AT+JWT', build(k, h({ typ: 'AT+JWT' }), c())],
      ['typ application/at+jwt', build(k, h({ typ: 'application/at+jwt' }), c())],
      ['typ Application/AT+JWT', build(k, h({ typ: 'Application/AT+JWT' }), c())],
      ['typ jwt', build(k, h({ typ: 'jwt' }), c())],
      ['typ 5', build(k, h({ typ: 5 }), c())],
      ['no typ', build(k, h({ typ: undefined }), c())],
      ['crit b64 with b64 true', build(k, h({ crit: ['b64'], b64: true }), c())],
      ['crit b64 with b64 false', build(k, h({ crit: ['b64'], b64: false }), c())],
      ['crit b64 without b64', build(k, h({ crit: ['b64'] }), c())],
      ['crit b64 twice', build(k, h({ crit: ['b64', 'b64'], b64: true }), c())],
      ['crit exp', build(k, h({ crit: ['exp'] }), c())],
      ['crit empty', build(k, h({ crit: [] }), c())],
      ['crit a string', build(k, h({ crit: 'b64', b64: true }), c())],
      ['b64 false without crit', build(k, h({ b64: false }), c())],
      ['alg none', `${h({ alg: 'none' })}.${c()}.`],
      ['alg missing', build(k, h({ alg: undefined }), c())],
      ['alg lower case', build(k, h({ alg: k.alg.toLowerCase() }), c())],
      [
        'alg of another algorithm',
        build(k, h({ alg: k.alg === 'HS256' ? 'ES256' : 'HS256' }), c()),
      ],
      ['kid unknown', build(k, h({ kid: 'stranger' }), c())],
      ['kid null', build(k, h({ kid: null }), c())],
      ['kid a number', build(k, h({ kid: 5 }), c())],
      ['no kid', build(k, h({ kid: undefined }), c())],
      ['a jku header', build(k, h({ jku: 'https://attacker.example/jwks' }), c())],
      ['an x5c header', build(k, h({ x5c: [] }), c())],
      ['exp a string', build(k, h(), c({ exp: String(NOW_SECONDS + 300) }))],
      ['exp null', build(k, h(), c({ exp: null }))],
      ['exp now', build(k, h(), c({ exp: NOW_SECONDS }))],
      ['exp now + 1', build(k, h(), c({ exp: NOW_SECONDS + 1 }))],
      [
        'exp in the past, with a bad token_type',
        build(k, h(), c({ exp: NOW_SECONDS - 5, token_type: 'id' })),
      ],
      ['exp in the past, with a bad iss', build(k, h(), c({ exp: NOW_SECONDS - 5, iss: 'x' }))],
      ['exp fractional', build(k, h(), c({ exp: NOW_SECONDS + 0.5 }))],
      ['no exp', build(k, h(), c({ exp: undefined }))],
      ['iat a string', build(k, h(), c({ iat: 'now' }))],
      ['iat in the future', build(k, h(), c({ iat: NOW_SECONDS + 3600 }))],
      ['no iat', build(k, h(), c({ iat: undefined }))],
      ['nbf now + 1', build(k, h(), c({ nbf: NOW_SECONDS + 1 }))],
      ['nbf now', build(k, h(), c({ nbf: NOW_SECONDS }))],
      ['nbf a string', build(k, h(), c({ nbf: 'x' }))],
      ['no jti', build(k, h(), c({ jti: undefined }))],
      ['jti a number', build(k, h(), c({ jti: 5 }))],
      ['sub not user_id', build(k, h(), c({ sub: '43' }))],
      ['no iss', build(k, h(), c({ iss: undefined }))],
      ['iss another', build(k, h(), c({ iss: 'https://other.example' }))],
      ['iss in an array', build(k, h(), c({ iss: [CHECKED.issuer] }))],
      ['aud in an array', build(k, h(), c({ aud: ['x', CHECKED.audience] }))],
      ['aud an array without it', build(k, h(), c({ aud: ['x'] }))],
      ['aud a number', build(k, h(), c({ aud: 5 }))],
      ['no aud', build(k, h(), c({ aud: undefined }))],
      ['amr not strings', build(k, h(), c({ amr: [1] }))],
      [
        '__proto__ in the claims',
        build(k, h(), b64(`${JSON.stringify(claims(type)).slice(0, -1)},"__proto__":{"x":1}}`)),
      ],
      [
        'duplicate claims, the last wins',
        build(k, h(), b64(`${JSON.stringify(claims(type)).slice(0, -1)},"sub":"43"}`)),
      ],
      ['two parts', `${vh}.${vp}`],
      ['four parts', `${valid}.x`],
    ];
    return list;
  }

  it.each(['ES256', 'HS256'] as const)(
    '%s tokens whose segments were edited at random',
    async (alg) => {
      const k = kit(alg);
      const valid = build(k, json(header(k, 'access')), json(claims('access')));
      const alphabet = ['=', ' ', '\n', '+', '/', '-', '_', 'A', 'g', '.', '*', '\u00e9'];
      let seed = 7;
      const random = (n: number) => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % n;
      let accepted = 0;
      for (let i = 0; i < 300; i++) {
        const chars = [...valid];
        for (let edits = 1 + random(2); edits > 0; edits--) {
          // Half the edits land at the signature's end, where padding and spare bits live.
          const at = random(2) ? random(chars.length + 1) : chars.length - random(3);
          if (random(3) === 0) chars.splice(at, 1);
          else chars.splice(at, 0, alphabet[random(alphabet.length)]!);
        }
        const token = chars.join('');
        const actual = verifyAccessToken(k.keyring, CHECKED, token, NOW);
        expect({ token, verdict: actual }).toEqual({
          token,
          verdict: await joseVerdict(k, CHECKED, token, 'access', NOW),
        });
        if (actual.ok) accepted++;
      }
      // Some edits leave a token jose accepts (padding, whitespace, spare bits): both accept those.
      expect(accepted).toBeGreaterThan(0);
    },
  );

  it.each(
    ALGORITHMS.flatMap((alg) =>
      (['access', 'refresh'] as const).map((type) => [alg, type] as const),
    ),
  )('%s %s tokens', async (alg, type) => {
    const k = kit(alg);
    const tally = { accepted: 0, expired: 0, invalid: 0, malformed: 0 };
    for (const leewaySeconds of [0, 10]) {
      const config = { ...CHECKED, leewaySeconds };
      for (const [name, token] of cases(k, type)) {
        const expected = await joseVerdict(k, config, token, type, NOW);
        const actual =
          type === 'access'
            ? verifyAccessToken(k.keyring, config, token, NOW)
            : verifyRefreshToken(k.keyring, config, token, NOW);
        expect({ name, leewaySeconds, verdict: actual }).toEqual({
          name,
          leewaySeconds,
          verdict: expected,
        });
        tally[actual.ok ? 'accepted' : actual.reason]++;
      }
    }
    // The corpus reaches every outcome, so agreement means something.
    expect(Object.values(tally).every((count) => count > 0)).toBe(true);
  });
});

describe('the same session-cookie verdicts as jose', () => {
  it('on tokens at the edge of each rule', async () => {
    const { keyring } = kit('ES256');
    const nowSeconds = Math.floor(Date.now() / 1000);
    const sign = (header: Record<string, unknown>, payload: JWTPayload) =>
      new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(keyring.sessionKey);
    const base = { sub: '42', sid: 's', exp: nowSeconds + 60 };
    const tokens = await Promise.all([
      sign({ alg: 'HS256', typ: 'JWT' }, base),
      sign({ alg: 'HS256', typ: 'at+jwt', kid: 'any', jku: 'https://x.example' }, base),
      sign({ alg: 'HS256' }, { ...base, sid: 5 }),
      sign({ alg: 'HS256' }, { ...base, sid: undefined }),
      sign({ alg: 'HS256' }, { ...base, exp: undefined }),
      sign({ alg: 'HS256' }, { ...base, exp: nowSeconds - 1 }),
      sign({ alg: 'HS256' }, { ...base, nbf: nowSeconds + 30 }),
      sign({ alg: 'HS256' }, { ...base, iat: 'x' as unknown as number }),
      sign({ alg: 'HS256', crit: ['b64'], b64: true }, base),
      new SignJWT(base).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(SECRET)),
    ]);
    const verdicts = [];
    for (const token of tokens) {
      let expected: JWTPayload | null;
      try {
        const { payload } = await jwtVerify(token, keyring.sessionKey, {
          algorithms: ['HS256'],
          requiredClaims: ['exp', 'sub', 'sid'],
        });
        expected = typeof payload.sid === 'string' ? payload : null;
      } catch {
        expected = null;
      }
      expect(verifySessionToken(keyring, token)).toEqual(expected);
      verdicts.push(expected !== null);
    }
    expect(verdicts).toEqual([true, true, false, false, false, false, false, false, true, false]);
  });
});

describe('keys node:crypto would sign with, checked at start-up', () => {
  it('refuses an RSA key under 2048 bits (jose refused it only when a token was signed)', async () => {
    const short = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
      format: 'jwk',
    });
    await expect(
      loadKeyring({
        algorithm: 'RS256',
        secret: SECRET,
        signingKeys: [{ ...(short as JWK), kid: 'short', alg: 'RS256' }],
      }),
    ).rejects.toThrow('key "short": RS256 needs an RSA key of at least 2048 bits (got 1024)');
  });

  it('refuses a symmetric JWK offered as an ES256 key', async () => {
    await expect(
      loadKeyring({
        algorithm: 'ES256',
        secret: SECRET,
        signingKeys: [{ kty: 'oct', k: 'c2VjcmV0', d: 'x', kid: 'oct', alg: 'ES256' }],
      }),
    ).rejects.toThrow('key "oct": ES256 needs an EC key');
  });
});
